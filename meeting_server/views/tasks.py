"""Tasks from conclusion notices: the lists, one task's page, and each step on it.

The unit (its people, the person in charge) accepts, reports progress with files, asks for
more time and reports done with the result; the leader who assigned it decides extensions and
confirms or returns the result. Leaders and the office see every task.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..auth import current_user, login_required, require, signed_in_user
from ..extensions import db
from ..models import Task, TaskAttachment
from ..permissions import can_decide_task, can_view_task, can_work_on_task
from ..services import task_lists
from ..services import tasks as service
from ..services.errors import ServiceError
from ..services.task_files import Upload
from ..storage import blob_store
from .forms import integer, text
from .lookups import get_or_404
from .responses import send_blob

bp = Blueprint("tasks", __name__, url_prefix="/tasks")


@bp.app_context_processor
def unread_tasks() -> dict[str, int]:
    """Give every page the number of unseen task lines for the menu."""
    user = current_user()
    return {"task_unread": task_lists.unread_count(user) if user else 0}


@bp.get("/")
@login_required
def index():
    """Show a list of tasks (the unit's, assigned by me, everyone's) and the newest lines."""
    meeting_id = request.args.get("meeting", type=int)
    listing = task_lists.task_list(
        signed_in_user(),
        request.args.get("view", ""),
        status=request.args.get("status", ""),
        meeting_id=meeting_id,
    )
    response = make_response(
        render_template(
            "tasks/index.html",
            listing=listing,
            status=request.args.get("status", ""),
            meeting_id=meeting_id,
            filters=task_lists.FILTERS,
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:task_id>")
@login_required
def show(task_id: int):
    """Show a task: what is asked, its deadline, its history and files, what I may do."""
    task = _task(task_id, can_view_task)
    task_lists.mark_read(signed_in_user(), task)
    db.session.commit()
    return _page(task)


@bp.post("/<int:task_id>/accept")
@login_required
def accept(task_id: int):
    """Take the task on."""
    task = _task(task_id, can_work_on_task)
    service.accept_task(signed_in_user(), task)
    return _done(task, _("Task accepted. Report the progress as the work goes."))


@bp.post("/<int:task_id>/progress")
@login_required
def progress(task_id: int):
    """Report how far the work is, with a note and files."""
    task = _task(task_id, can_work_on_task)
    return _step(
        task,
        lambda: service.report_progress(
            signed_in_user(),
            task,
            percent=integer("percent", 0),
            text=text("text"),
            files=_files(),
        ),
        _("Progress reported."),
    )


@bp.post("/<int:task_id>/extension")
@login_required
def extension(task_id: int):
    """Ask the assigner for a later deadline."""
    task = _task(task_id, can_work_on_task)
    return _step(
        task,
        lambda: service.request_extension(
            signed_in_user(), task, until=_day("until"), reason=text("reason")
        ),
        _("The extension request went to the assigner."),
    )


@bp.post("/<int:task_id>/extension/decide")
@login_required
def decide(task_id: int):
    """Approve or refuse the pending extension."""
    task = _task(task_id, can_decide_task)
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        abort(400)
    approve = decision == "approve"
    return _step(
        task,
        lambda: service.decide_extension(
            signed_in_user(), task, approve=approve, reason=text("reason")
        ),
        _("Extension approved: the deadline moved.") if approve else _("Extension refused."),
    )


@bp.post("/<int:task_id>/done")
@login_required
def done(task_id: int):
    """Report the task done, with the result document."""
    task = _task(task_id, can_work_on_task)
    return _step(
        task,
        lambda: service.report_done(signed_in_user(), task, text=text("text"), files=_files()),
        _("Reported done. The assigner will confirm the result."),
    )


@bp.post("/<int:task_id>/confirm")
@login_required
def confirm(task_id: int):
    """Confirm the reported result: the task is done."""
    task = _task(task_id, can_decide_task)
    return _step(
        task,
        lambda: service.confirm_task(signed_in_user(), task, text=text("text")),
        _("Result confirmed: the task is done."),
    )


@bp.post("/<int:task_id>/return")
@login_required
def send_back(task_id: int):
    """Return the reported result to the unit, with what is missing."""
    task = _task(task_id, can_decide_task)
    return _step(
        task,
        lambda: service.return_task(signed_in_user(), task, reason=text("reason")),
        _("Returned to the unit with your reason."),
    )


@bp.get("/<int:task_id>/files/<int:attachment_id>")
@login_required
def attachment(task_id: int, attachment_id: int):
    """Send an attached file as a download (never shown in the page)."""
    task = _task(task_id, can_view_task)
    found = get_or_404(TaskAttachment, attachment_id)
    if found.event.task_id != task.id:
        abort(404)
    path = blob_store().path_for(found.sha256)
    return send_blob(
        path, found.sha256, found.content_type, filename=found.file_name, attachment=True
    )


# --- helpers ------------------------------------------------------------------------------------


def _task(task_id: int, allowed) -> Task:
    task = get_or_404(Task, task_id)
    require(allowed(signed_in_user(), task))
    return task


def _step(task: Task, run, message: str):
    """Run one step; on a refusal show the page again with the reason, what was typed kept."""
    try:
        run()
    except ServiceError as error:
        db.session.rollback()
        return _page(db.session.get_one(Task, task.id), error), error.status
    return _done(task, message)


def _done(task: Task, message: str):
    db.session.commit()
    flash(message, "ok")
    return redirect(url_for("tasks.show", task_id=task.id))


def _page(task: Task, error: ServiceError | None = None):
    user = signed_in_user()
    response = make_response(
        render_template(
            "tasks/show.html",
            task=task,
            error=error,
            today=service.vietnam_today(),
            overdue=task_lists.is_overdue(task, service.vietnam_today()),
            may_work=can_work_on_task(user, task),
            may_decide=can_decide_task(user, task),
            one_day=timedelta(days=1),
            form=request.form if error else {},
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _files() -> list[Upload]:
    return [
        Upload(f.filename or "", f.read()) for f in request.files.getlist("files") if f.filename
    ]


def _day(name: str) -> date:
    raw = request.form.get(name, "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(_l("Enter a date."), field=name) from None
