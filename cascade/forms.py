"""Bridging service validation errors back onto forms."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named fields where the form has
    them, otherwise at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)
    form.errors.setdefault(NON_FIELD_ERRORS, form.error_class())


def conflict_context(form: forms.Form, error: ValidationError) -> dict:
    """For a save refused because someone else saved first (``EditConflict``): the other
    person's change for the page, and the form moved to the current version so that saving
    again, after looking, keeps what this person typed (which the bound form still holds)."""
    from audit.selectors import change_rows
    from cascade.concurrency import EditConflict

    if not isinstance(error, EditConflict):
        return {}
    form.data = form.data.copy()
    form.data["version"] = str(error.current_version)
    events = [error.last_change] if error.last_change is not None else []
    return {
        "conflict": error,
        "conflict_events": [(event, change_rows(event)) for event in events],
    }


# The largest id a database column holds (PostgreSQL bigint); SQLite raises OverflowError
# on a larger number instead of finding nothing, so such a value never reaches a query.
_MAX_ID = 2**63 - 1


def _is_id(value: object) -> bool:
    text = str(value).strip()
    return text.isdecimal() and len(text) < 20 and int(text) <= _MAX_ID


class IdChoiceField(forms.ModelChoiceField):
    """A choice of one row by its id that refuses anything that is not an id with the usual
    "not one of the choices" message, rather than letting a database error through."""

    def to_python(self, value):
        if value not in self.empty_values and self.to_field_name is None and not _is_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by their ids, refusing values that are not ids (see ``IdChoiceField``)."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                if not _is_id(pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)
