"""Forms of the import flow: the upload, and the review of what was extracted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from cascade.forms import IdChoiceField
from plans.forms import EMPTY_CHOICE, MAX_UPLOAD_BYTES
from plans.importing.extract import read_task_words, split_units
from plans.models import DocType, RecipientPurpose
from plans.outline_services import MAX_PARTS
from units.models import Unit
from units.pickers import use_picker_when_long


class ImportSourceForm(forms.Form):
    """A Word or text file, or pasted text."""

    file = forms.FileField(
        label=_("Word (.docx) or text (.txt) file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.txt,text/plain"}),
    )
    text = forms.CharField(
        label=_("…or paste the plan's text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=2_000_000,
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("%(name)s is larger than 10 MB.") % {"name": upload.name})
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Choose a file or paste the text of a plan."))
        return data


class ReviewHeaderForm(forms.Form):
    """The plan's header and tail as extracted, every field editable."""

    issuer = IdChoiceField(
        label=_("Issuing unit"), queryset=Unit.objects.none(), empty_label=EMPTY_CHOICE
    )
    doc_type = forms.ChoiceField(label=_("Type"), choices=DocType.choices)
    is_draft = forms.BooleanField(label=_("Draft (no number yet)"), required=False)
    number = forms.CharField(label=_("Number"), max_length=20, required=False)
    issued_on = forms.DateField(
        label=_("Issued on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    issued_year = forms.IntegerField(
        label=_("Year written on an undated copy"),
        required=False,
        min_value=1945,
        max_value=2200,
        help_text=_('"ngày … tháng … năm 2026": kept with the blanks when there is no date.'),
    )
    issuer_code = forms.CharField(
        label=_("Issuer's code in the number"),
        max_length=40,
        required=False,
        help_text=_('"HU" of "Số -KH/HU": printed with the blank number.'),
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    title = forms.CharField(
        label=_("Title (trích yếu)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    implements = forms.CharField(
        label=_("Implements (identifier)"),
        max_length=80,
        required=False,
        help_text=_("E.g. 275-KH/TU. Created as known by reference if the system lacks it."),
    )
    implements_issued_on = forms.DateField(
        label=_("…issued on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    implements_issuer = forms.CharField(label=_("…by"), max_length=255, required=False)
    references = forms.CharField(
        label=_("Other documents cited (one identifier per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
    )
    signer_capacity = forms.CharField(label=_("Signing capacity"), max_length=100, required=False)
    signer_title = forms.CharField(label=_("Signer's title"), max_length=100, required=False)
    signer_name = forms.CharField(label=_("Signer's name"), max_length=100, required=False)
    add_units = forms.BooleanField(
        label=_("Add the units the system does not know under the issuer"),
        required=False,
        initial=True,
    )
    body = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2_000_000)
    staged = forms.CharField(widget=forms.HiddenInput, required=False, max_length=500)

    def __init__(self, *args, user: AbstractBaseUser, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Unit.objects.editable_by(user)
        use_picker_when_long(self.fields["issuer"], scope="editable")

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        if number and not number.isdigit():
            raise forms.ValidationError(_("Write the number in digits only, e.g. 470."))
        return number


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


LEVEL_CHOICES = [
    ("0", _("Paragraph")),
    *[(str(level), _("Heading, level %(level)s") % {"level": level}) for level in range(1, 7)],
]


class ReviewPartForm(forms.Form):
    """One part of the document as read: a heading at its level or a paragraph, its marker as
    written, its words, and whether it is a task (with who leads it and by when). A person
    moves a paragraph between text and task and fixes a heading's level here."""

    level = forms.TypedChoiceField(label=_("Kind"), choices=LEVEL_CHOICES, coerce=int, initial="0")
    marker = forms.CharField(label=_("Marker"), max_length=20, required=False)
    text = forms.CharField(
        label=_("Words"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=200_000,
        required=False,
        strip=False,
    )
    is_task = forms.BooleanField(label=_("A task"), required=False)
    joins = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # The lead units as the plan writes them ("Phòng Văn hóa, Khoa học và Công nghệ"): kept as
    # the task's line of names while the lines below still read the same.
    lead_words = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)
    lead = forms.CharField(
        label=_("Lead (one per line)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    support = forms.CharField(
        label=_("Coordinating (one per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    deadline_text = forms.CharField(label=_("Deadline as written"), max_length=500, required=False)
    requires_plan = forms.BooleanField(label=_("Asks for an implementing plan"), required=False)

    TASK_FIELDS = ("lead", "support", "deadline_text", "requires_plan")

    @property
    def task_fields(self) -> list[forms.BoundField]:
        """The fields that only a task has, shown folded under the part."""
        return [self[name] for name in self.TASK_FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("is_task") and not (data.get("text") or "").strip():
            self.add_error("text", _("A task needs its words."))
        return data


class ReviewTargetForm(forms.Form):
    """One extracted target."""

    keep = forms.BooleanField(label=_("Keep"), required=False, initial=True)
    text = forms.CharField(label=_("Target"), max_length=2000)
    low = forms.DecimalField(label=_("Low"), required=False, max_digits=12, decimal_places=2)
    high = forms.DecimalField(label=_("High"), required=False, max_digits=12, decimal_places=2)
    unit = forms.CharField(label=_("Unit of measure"), max_length=50, required=False, initial="%")
    year = forms.IntegerField(
        label=_("Horizon year"), required=False, min_value=1945, max_value=2200
    )


class ReviewRecipientForm(forms.Form):
    """One line of "Nơi nhận"."""

    keep = forms.BooleanField(label=_("Keep"), required=False, initial=True)
    name = forms.CharField(label=_("Recipient"), max_length=255)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=RecipientPurpose.choices)


# A 2 MB plan runs to a few thousand paragraphs.
ReviewPartFormSet = forms.formset_factory(
    ReviewPartForm, extra=0, max_num=MAX_PARTS, absolute_max=MAX_PARTS
)
ReviewTargetFormSet = forms.formset_factory(
    ReviewTargetForm, extra=0, max_num=100, absolute_max=100
)
ReviewRecipientFormSet = forms.formset_factory(
    ReviewRecipientForm, extra=0, max_num=200, absolute_max=200
)


def review_initial(extraction: dict[str, Any]) -> dict[str, Any]:
    """Initial data of the review forms from an extraction."""
    basis = (extraction.get("basis") or [{}])[0] if extraction.get("basis") else {}
    signer = extraction.get("signer") or {}
    return {
        "header": {
            "doc_type": extraction.get("doc_type") or DocType.PLAN,
            "is_draft": bool(extraction.get("is_draft")),
            "number": extraction.get("number") or "",
            "issued_on": extraction.get("issued_on"),
            "issued_year": extraction.get("issued_year"),
            "issuer_code": extraction.get("issuer_code") or "",
            "place": extraction.get("place") or "",
            "title": extraction.get("title") or "",
            "implements": basis.get("identifier") or "",
            "implements_issued_on": basis.get("issued_on"),
            "implements_issuer": basis.get("issuer") or "",
            "references": "\n".join(extraction.get("references") or []),
            "signer_capacity": signer.get("capacity") or "",
            "signer_title": signer.get("title") or "",
            "signer_name": signer.get("name") or "",
            "add_units": True,
        },
        "parts": _parts_initial(extraction),
        "targets": [
            {
                "keep": True,
                "text": target.get("text") or "",
                "low": target.get("low"),
                "high": target.get("high"),
                "unit": target.get("unit") or "%",
                "year": target.get("year"),
            }
            for target in extraction.get("targets") or []
        ],
        "recipients": [
            {
                "keep": True,
                "name": r.get("name") or "",
                "purpose": r.get("purpose") or "unspecified",
            }
            for r in extraction.get("recipients") or []
        ],
    }


def _parts_initial(extraction: dict[str, Any]) -> list[dict[str, Any]]:
    tasks = extraction.get("tasks") or []
    rows = []
    for entry in extraction.get("outline") or []:
        task = tasks[entry["task"]] if entry.get("task") is not None else None
        rows.append(
            {
                "level": str(entry.get("level") or 0) if entry.get("kind") == "heading" else "0",
                "marker": entry.get("marker") or "",
                "text": entry.get("text") or "",
                "joins": bool(entry.get("joins")),
                "is_task": task is not None,
                "lead": "\n".join(task.get("lead") or []) if task else "",
                "lead_words": (task.get("lead_text") or "") if task else "",
                "support": "\n".join(task.get("support") or []) if task else "",
                "deadline_text": (task.get("deadline_text") or "") if task else "",
                "requires_plan": bool(task.get("requires_plan")) if task else False,
            }
        )
    return rows


def _section(path: list[str]) -> str:
    """ "III.1" from the markers of the headings above ("III.", "1."); "2.1." stands for "2."."""
    kept = [marker for marker in path if marker]
    return ".".join(kept)[:40]


def reviewed_outline(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The outline and the tasks as the person left them on the review page: every row with
    words is a part; rows marked as tasks are tasks at their part, with the units and the
    deadline given, or read from their words when none were."""
    outline: list[dict[str, Any]] = []
    tasks: list[dict[str, Any]] = []
    path: list[str] = []
    previous_kept = False
    for row in rows:
        text = (row.get("text") or "").strip() if row else ""
        if not text:
            # A later duty of a paragraph left out no longer continues anything.
            previous_kept = False
            continue
        level = int(row.get("level") or 0)
        marker = (row.get("marker") or "").strip()
        if level:
            path = path[: level - 1] + [""] * max(level - 1 - len(path), 0)
            path.append(marker.rstrip(".-)/ "))
        entry: dict[str, Any] = {
            "kind": "heading" if level else "text",
            "level": level,
            "marker": marker,
            "text": text,
            "task": None,
            "joins": bool(row.get("joins")) and not level and previous_kept,
        }
        previous_kept = True
        if row.get("is_task"):
            lead, support = _lines(row.get("lead") or ""), _lines(row.get("support") or "")
            deadline = (row.get("deadline_text") or "").strip()
            read = read_task_words(text) if not (lead or deadline) else {}
            entry["task"] = len(tasks)
            words = (row.get("lead_words") or "").strip() if lead else read.get("lead_text", "")
            if lead and (not words or split_units(words) != lead):
                words = ""  # the person changed the units: their lines are the names
            tasks.append(
                {
                    "section": _section(path),
                    "text": text,
                    "lead_text": words,
                    "lead": lead or read.get("lead", []),
                    "support": support or read.get("support", []),
                    "deadline_text": deadline or read.get("deadline_text", ""),
                    "requires_plan": bool(row.get("requires_plan") or read.get("requires_plan")),
                    "part": len(outline),
                }
            )
        outline.append(entry)
    return outline, tasks


def reviewed_extraction(
    header: dict, parts: list[dict], targets: list[dict], recipients: list[dict]
) -> dict:
    """The extraction as the person corrected it, in the importer's shape."""
    outline, tasks = reviewed_outline(parts)
    basis = []
    if header.get("implements"):
        basis.append(
            {
                "identifier": header["implements"].strip(),
                "issued_on": header["implements_issued_on"].isoformat()
                if header.get("implements_issued_on")
                else None,
                "issuer": header.get("implements_issuer") or "",
            }
        )
    return {
        "doc_type": header["doc_type"],
        "identifier": None,
        "number": header["number"] or None,
        "is_draft": header["is_draft"],
        "issued_on": header["issued_on"].isoformat() if header.get("issued_on") else None,
        "issued_year": header.get("issued_year"),
        "issuer_code": (header.get("issuer_code") or "").strip(),
        "place": header["place"],
        "title": header["title"],
        "basis": basis,
        "references": _lines(header.get("references") or ""),
        "signer": {
            "capacity": header["signer_capacity"],
            "title": header["signer_title"],
            "name": header["signer_name"],
        },
        "tasks": tasks,
        "outline": outline,
        "targets": [
            {
                "text": t["text"],
                "low": t["low"],
                "high": t["high"],
                "unit": t["unit"] or "%",
                "year": t["year"],
            }
            for t in targets
            if t and t.get("keep")
        ],
        "recipients": [
            {"name": r["name"], "purpose": r["purpose"]} for r in recipients if r and r.get("keep")
        ],
        "warnings": [],
    }
