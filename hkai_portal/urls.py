from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from directory.health import healthz
from directory.urls import sitemap_urlpatterns

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    *sitemap_urlpatterns,
    path("", include("directory.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
