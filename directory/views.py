from django.views.generic import DetailView, TemplateView

from .models import Guidance, Organisation, Programme


class HomeView(TemplateView):
    template_name = "directory/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organisation_count=Organisation.objects.published().count(),
            programme_count=Programme.objects.published().count(),
            guidance_count=Guidance.objects.published().count(),
            **kwargs,
        )


class PublishedDetailView(DetailView):
    """A detail page of published content only: a draft's or an archived item's URL is a 404."""

    def get_queryset(self):
        return self.model.objects.published()


class OrganisationDetailView(PublishedDetailView):
    model = Organisation

    def get_queryset(self):
        return super().get_queryset().select_related("parent").prefetch_related("sectors")


class ProgrammeDetailView(PublishedDetailView):
    model = Programme

    def get_queryset(self):
        return super().get_queryset().select_related("lead_organisation").prefetch_related("partners", "sectors")


class GuidanceDetailView(PublishedDetailView):
    model = Guidance

    def get_queryset(self):
        return super().get_queryset().select_related("publisher", "supersedes").prefetch_related("topics", "sectors")
