"""Pages of the sales area, one module per subject: `deals`, `board` (the
kanban board), `leads`, `products` (and interests in them), `pipelines`;
`access` holds the permission checks they share. Thin: parse, call a service
or a selector, render. Activities, tasks and notes have theirs in
`sales.activities.views`."""
