"""POST /enroll: a station exchanges its one-time code for a credential."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from central.api.deps import SessionDep, SettingsDep
from central.api.routing import ReleasingRoute
from central.faults import fault_point
from central.services.stations import EnrollmentError, enroll_station
from sync.protocol import EnrollRequest, EnrollResponse

router = APIRouter(prefix="/enroll", tags=["enroll"], route_class=ReleasingRoute)


@router.post("", response_model=EnrollResponse)
def enroll(request: EnrollRequest, session: SessionDep, settings: SettingsDep) -> EnrollResponse:
    """Spend a one-time code; answer the station id, bearer token and signing key."""
    try:
        answer = enroll_station(session=session, request=request, secret_key=settings.secret_key)
    except EnrollmentError as error:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(error)) from error
    fault_point("after_enroll_commit")  # test-only (central.faults); a no-op unless configured
    return answer
