"""The admin change form as a browser would post it back: for tests that edit items through the admin."""

from django import forms
from django.urls import reverse


def opened_form(client, obj):
    """Open the item's change page and return what the browser would post back unchanged."""
    response = client.get(reverse(f"admin:directory_{obj._meta.model_name}_change", args=[obj.pk]))
    assert response.status_code == 200
    data = {}
    for bound in response.context["adminform"].form:
        value = bound.value()
        widget = bound.field.widget
        if isinstance(widget, forms.MultiWidget):
            # A date and a time (published_at): posted as one value, the split widget would read it as empty.
            for suffix, part_widget, part in zip(
                widget.widgets_names, widget.widgets, widget.decompress(value), strict=True
            ):
                data[bound.name + suffix] = part_widget.format_value(part) or ""
        elif isinstance(value, list):
            data[bound.name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[bound.name] = "on"
        elif bound.name != "logo":
            data[bound.name] = bound.field.widget.format_value(value) or ""
    return data


def save(client, obj, data):
    return client.post(reverse(f"admin:directory_{obj._meta.model_name}_change", args=[obj.pk]), data)
