"""Document identifiers in both styles, and their uniqueness per issuer and year or term."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from plans import services as plan_services
from plans.identifiers import format_identifier, numbering_period, parse_identifier
from plans.models import DocType, DocumentStatus
from tests.factories import make_document, make_unit
from units.models import Bloc


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"style": "party", "number": "21", "doc_type": "CT", "issuer_code": "TW"}, "21-CT/TW"),
        ({"style": "party", "number": "2", "doc_type": "CTr", "issuer_code": "QU"}, "02-CTr/QU"),
        (
            {"style": "party", "number": "5", "doc_type": "QC", "issuer_code": "BTCTU-BDVTU"},
            "05-QC/BTCTU-BDVTU",
        ),
        (
            {"style": "state", "number": "470", "doc_type": "KH", "issuer_code": "LĐLĐ"},
            "470/KH-LĐLĐ",
        ),
        (
            {"style": "state", "number": "516", "doc_type": "CV", "issuer_code": "VP-KGVX"},
            "516/VP-KGVX",
        ),
        (
            {"style": "legal", "number": "15", "doc_type": "NĐ", "issuer_code": "CP", "year": 2019},
            "15/2019/NĐ-CP",
        ),
        (
            {
                "style": "legal",
                "number": "74",
                "doc_type": "Luật",
                "issuer_code": "QH13",
                "year": 2014,
            },
            "74/2014/QH13",
        ),
        ({"style": "party", "number": "", "doc_type": "KH", "issuer_code": "HU"}, "-KH/HU"),
        ({"style": "state", "number": "", "doc_type": "KH", "issuer_code": "UBND"}, "/KH-UBND"),
    ],
)
def test_identifiers_are_written_in_the_issuers_style(kwargs, expected):
    assert format_identifier(**kwargs) == expected


@pytest.mark.parametrize(
    "text",
    ["21-CT/TW", "470/KH-LĐLĐ", "15/2019/NĐ-CP", "74/2014/QH13", "179-HD/BTGTU", "02-CTr/QU"],
)
def test_an_identifier_reads_back_to_itself(text):
    assert str(parse_identifier(text)) == text


def test_text_that_is_no_identifier_is_not_read_as_one():
    assert parse_identifier("Kế hoạch triển khai") is None
    assert parse_identifier("") is None


def test_state_numbers_run_per_year_and_party_numbers_per_term():
    assert numbering_period(style="state", issued_on=datetime.date(2023, 8, 23)) == "2023"
    assert numbering_period(style="party", issued_on=datetime.date(2023, 5, 4)) == "2020-2025"
    assert numbering_period(style="party", issued_on=datetime.date(2025, 11, 1)) == "2025-2030"
    assert numbering_period(style="party", issued_on=datetime.date(2025, 6, 1)) == "2020-2025"


def test_a_document_gets_its_identifier_from_its_issuer(db):
    federation = make_unit(
        "Liên đoàn Lao động tỉnh Lai Châu", bloc=Bloc.MASS_ORGANISATION, code="LĐLĐ"
    )
    committee = make_unit("Tỉnh ủy Kon Tum", code="TU")
    assert make_document(federation, number="470").identifier == "470/KH-LĐLĐ"
    assert make_document(committee, number="105").identifier == "105-KH/TU"
    assert (
        make_document(committee, number="7", doc_type=DocType.PROGRAMME).identifier == "07-CTr/TU"
    )


def test_a_draft_has_no_number(db):
    committee = make_unit("Huyện ủy Kon Rẫy", code="HU")
    draft = make_document(committee, number="12", status=DocumentStatus.DRAFT)
    assert draft.number == ""
    assert draft.identifier == "-KH/HU"


def test_a_duplicate_number_from_the_same_issuer_in_the_same_year_is_refused(db):
    federation = make_unit("LĐLĐ tỉnh Lai Châu", bloc=Bloc.MASS_ORGANISATION, code="LĐLĐ")
    make_document(federation, number="470", issued_on=datetime.date(2023, 8, 23))
    with pytest.raises(ValidationError) as error:
        make_document(federation, number="470", issued_on=datetime.date(2023, 12, 1))
    assert "470/KH-LĐLĐ" in str(error.value)


def test_the_same_state_number_is_free_again_next_year(db):
    federation = make_unit("LĐLĐ tỉnh Lai Châu", bloc=Bloc.MASS_ORGANISATION, code="LĐLĐ")
    make_document(federation, number="470", issued_on=datetime.date(2023, 8, 23))
    again = make_document(federation, number="470", issued_on=datetime.date(2024, 1, 5))
    assert again.identifier == "470/KH-LĐLĐ"


def test_a_party_number_is_taken_for_the_whole_term(db):
    committee = make_unit("Tỉnh ủy Kon Tum", code="TU")
    make_document(committee, number="105", issued_on=datetime.date(2023, 7, 11))
    with pytest.raises(ValidationError):
        make_document(committee, number="105", issued_on=datetime.date(2024, 3, 1))


def test_two_issuers_with_the_same_code_may_use_the_same_number(db):
    kon_tum = make_unit("Tỉnh ủy Kon Tum", code="TU")
    hai_phong = make_unit("Thành ủy Hải Phòng", code="TU")
    make_document(kon_tum, number="105")
    assert make_document(hai_phong, number="105").identifier == "105-KH/TU"


def test_an_issued_document_without_a_date_is_refused_with_a_clear_message(db):
    committee = make_unit("Tỉnh ủy Kon Tum", code="TU")
    with pytest.raises(ValidationError) as error:
        plan_services.document_create(
            actor=None, doc_type="KH", title="Kế hoạch", issuer=committee, number="3"
        )
    assert "issued_on" in error.value.message_dict
