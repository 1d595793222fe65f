from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from directory.urls import sitemap_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    *sitemap_urlpatterns,
    path("", include("directory.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
