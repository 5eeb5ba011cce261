"""schemathesis against the live API with the demo loaded: generated requests (valid and
invalid) to every operation must never get a server error, nor a response that breaks the
OpenAPI schema. Bounded: a few examples per operation, derandomized, about a minute."""

from __future__ import annotations

import itertools

import pytest

MAX_EXAMPLES = {"positive": 12, "negative": 6}
IDENTITIES = ("admin", "canbo.kienan")
# Revoking the token the fuzzer uses would leave it testing 401s only.
SKIPPED = {"POST /api/tokens/{id}/revoke/"}


@pytest.mark.api_fuzz
def test_generated_requests_find_no_server_error_and_no_schema_violation(
    live_server, transactional_db, demo, settings, record_property, capsys
):
    import schemathesis
    from django.contrib.auth import get_user_model
    from hypothesis import HealthCheck, Phase, given
    from hypothesis import settings as hypothesis_settings
    from hypothesis.errors import HypothesisException
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from api.services import api_token_issue

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_token": "100000/hour", "api_session": "100000/hour"},
    }
    # A superuser reaches every row; a district's staff meets the refusals.
    tokens = {
        username: api_token_issue(
            actor=None,
            user=get_user_model().objects.get(username=username),
            name="schemathesis",
        ).key
        for username in IDENTITIES
    }
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/schema/?format=json", headers=headers
    )
    checks = [
        not_a_server_error,
        response_schema_conformance,
        content_type_conformance,
        status_code_conformance,
    ]
    cases = 0
    failures: list[str] = []

    def fuzz(operation, mode: str, count: int, auth: dict[str, str]):
        """A Hypothesis test sending ``count`` generated requests to ``operation``."""

        @given(case=operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode)))
        @hypothesis_settings(
            max_examples=count,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case) -> None:
            nonlocal cases
            cases += 1
            response = case.call(base_url=live_server.url, headers=auth, timeout=30)
            try:
                case.validate_response(response, checks=checks)
            except (Exception, BaseExceptionGroup) as error:  # reported below, all of them
                failures.append(f"{operation.label} [{mode}]: {str(error)[:600]}")

        return call

    not_generated: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIPPED:
            continue
        for (mode, count), key in itertools.product(MAX_EXAMPLES.items(), tokens.values()):
            try:
                fuzz(operation, mode, count, {"Authorization": f"Bearer {key}"})()
            except HypothesisException as error:
                # Nothing of this mode can be generated (an operation without parameters has
                # no invalid requests).
                not_generated.append(f"{operation.label} [{mode}]: {type(error).__name__}")

    record_property("schemathesis_cases", cases)
    with capsys.disabled():
        print(f"\nschemathesis: {cases} cases tried, {len(failures)} failures")
        print("  not generated: " + ("; ".join(not_generated) or "none"))
    assert cases > 500
    assert not failures, "\n\n".join(failures[:10])
