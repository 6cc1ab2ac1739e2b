"""Writes of the sales area, one module per subject: `pipelines` (and
stages), `products`, `interests` (a person's in products), `deals`, `leads`;
`checks` holds what they share. Each function is one transaction with one
audit entry; views, the API, the demo loader and tasks call these and never
save the models themselves."""
