from django.contrib.auth.hashers import Argon2PasswordHasher


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with a small cost: the same algorithm and code path as production,
    without spending a tenth of a second of CPU on every password in the suite."""

    time_cost = 1
    memory_cost = 1024
    parallelism = 1
