# The benchmarks reuse the suite's fixtures (users with roles, fast hashing).
from tests.conftest import fast_password_hashing, make_user  # noqa: F401
