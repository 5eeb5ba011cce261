from django import forms
from django.utils.translation import gettext_lazy as _

from cascade.forms import IdMultipleChoiceField
from notifications.models import EmailMode
from plans.models import Document


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("E-mail me"), choices=EmailMode.choices, widget=forms.RadioSelect
    )
    muted = IdMultipleChoiceField(
        label=_("Muted plans"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("No reminders about these plans (you still see them in the application)."),
    )

    def __init__(self, *args, plans=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if plans is not None:
            self.fields["muted"].queryset = plans
            self.fields["muted"].label_from_instance = lambda d: (
                f"{d.get_doc_type_display()} {d.identifier} — {d.title[:90]}"
            )
