from django import template

from ..dashboard import dashboard_for

register = template.Library()


@register.simple_tag(takes_context=True)
def review_dashboard(context):
    """The admin index's review dashboard, as {% get_admin_log %} gives its recent actions: from the template, so the
    admin site itself stays Django's own."""
    return dashboard_for(context["request"])
