from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from directory.api.urls import api_urlpatterns
from directory.health import healthz
from directory.urls import sitemap_urlpatterns

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    *sitemap_urlpatterns,
    # Outside the language prefix too: every response holds every language.
    *api_urlpatterns(),
]

# Every public page lives under its language's prefix (/en/, /zh-hant/, /zh-hans/), so each language has its own
# shareable, cacheable URL; LocaleMiddleware redirects the unprefixed paths to the reader's preferred language.
urlpatterns += i18n_patterns(path("", include("directory.urls")), prefix_default_language=True)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
