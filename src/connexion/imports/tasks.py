from django_tasks import task

from connexion.imports import services


@task()
def import_people(job_id: int) -> dict[str, int]:
    """Imports an uploaded file's people; the job page follows its progress."""
    return services.run_import(job_id)
