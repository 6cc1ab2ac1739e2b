"""Data-subject requests (PDPA s.30-s.36, policy 8.1-8.7): intake, identity verification, the
workflow and its state machine, rectification, fulfilment, the deadline clock and the messages
to the person."""
