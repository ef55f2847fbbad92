import pytest

from lmmr1.verifiers import warm_up


@pytest.fixture(autouse=True, scope="session")
def _warm_verifier_workers():
    # Tests with small budgets must not pay sympy's import on a busy CI machine.
    warm_up(2)
