"""Background jobs of the documents app (huey discovers <app>/tasks.py)."""

from huey.contrib.djhuey import db_task


@db_task(retries=2, retry_delay=30)
def run_batch(batch_id: int) -> None:
    """A batch of documents. A retry resumes where it stopped: made documents are skipped."""
    from .services import batch_run

    batch_run(batch_id)
