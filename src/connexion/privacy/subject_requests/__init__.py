"""Data-subject requests (PDPA s.30-s.36, policy 8.1-8.7), from receipt to the answer: one
queue for every channel (`intake`), identity verification (`verification`), the state machine
with its recorded history (`workflow`), rectification, carrying each kind out through the
services that own the data (`fulfilment`), the 30-day clock (`deadlines`) and the messages to
the person (`messages`); `rules` holds what every step shares.

Every write here is one transaction with its audit entry, and refuses bad input with a
`ValidationError` keyed by field, writing nothing then. The one exception is a wrong
verification code: the failed try is kept (that is what makes three tries the limit) and the
error raised after it is saved.

The public privacy center (no staff user) uses `intake.submit_request`, `intake.follow_request`,
`verification.send_verification_code`, `verification.check_verification_code` and
`workflow.withdraw_request` with `actor=None`."""
