import datetime

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ConcurrencySafeForm(forms.ModelForm):
    """A change form that refuses to save over changes someone else saved after the editor opened the item.

    The form carries the `updated_at` the editor loaded; a save compares it with the row's current value, so the
    second of two editors gets an error and the form back with everything they typed, instead of a silent overwrite.
    """

    loaded_version = forms.CharField(widget=forms.HiddenInput, required=False)

    conflict_message = _(
        "This item was changed by someone else since you opened it. Nothing was saved. Copy your changes, reload the "
        "page to see the current version, then apply them again."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.updated_at.isoformat(timespec="microseconds")

    def clean(self):
        cleaned_data = super().clean()
        loaded = cleaned_data.get("loaded_version")
        # Only the admin's own change page sends a version; a POST without one (a script, an add form) has nothing
        # to compare with.
        if self.instance.pk is None or not loaded:
            return cleaned_data
        try:
            loaded_at = datetime.datetime.fromisoformat(loaded)
        except ValueError:
            loaded_at = None
        # Locked until the admin's transaction ends, so two saves arriving together cannot both pass this check.
        current = (
            type(self.instance)
            ._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        if loaded_at is None or loaded_at.tzinfo is None or current != loaded_at:
            raise ValidationError(self.conflict_message, code="changed_since_loaded")
        return cleaned_data


def fits(field, value):
    """Return whether `value` is one the model `field` can hold: looking up any other crashes the query."""
    try:
        field.run_validators(field.to_python(value))
    except ValidationError:
        return False
    return True


class IdCheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django looks the submitted ids up as they are; a number beyond the database's integers crashes that query."""

    def clean(self, value):
        field = self.queryset.model._meta.get_field(self.to_field_name or self.queryset.model._meta.pk.name)
        for item in value if isinstance(value, list | tuple) else ():
            if not fits(field, item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                )
        return super().clean(value)


class ValidIdsOnly:
    """Re-render an autocomplete with only the submitted values that can be ids.

    Django's autocomplete widgets look the submitted values up as they are, so a form sent back with its errors would
    crash on a value such as "abc", or a number beyond the database's integers, instead of showing "Select a valid
    choice".
    """

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        target = opts.get_field(getattr(self.field.remote_field, "field_name", None) or opts.pk.name)
        return super().optgroups(name, [item for item in value if fits(target, item)], attr)


class SafeAutocompleteSelect(ValidIdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(ValidIdsOnly, AutocompleteSelectMultiple):
    pass
