"""Background work of the privacy center: announcing a notice version (5.5)."""

from django_tasks import task

from connexion.portal import announcements


@task()
def send_notice_announcement(announcement_id: int) -> dict[str, int]:
    """Tells everyone concerned of a notice version; returns the counts by status."""
    return announcements.deliver_announcement(announcement_id)
