"""The ledger core: purposes and their lawful bases, privacy notices, the consent ledger,
restrictions, objections, disclosures and breaches, and `decisions.may_use`, the one question
every use of personal data asks first."""
