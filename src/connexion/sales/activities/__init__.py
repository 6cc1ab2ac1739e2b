"""Activities, tasks, notes and reminders of the sales area, with what shows
them: `services` (the writes, and sending due reminders), `forms`, `views`
(their pages and URL patterns), `timeline` (the merged history of a person,
organization or deal) and `dashboards` (the home page's, the sales dashboard
and the task and activity lists)."""
