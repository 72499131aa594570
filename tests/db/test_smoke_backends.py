from sqlalchemy import select

from db.models import Office
from db.session import read_session
from tests.builders import make_office


def test_an_office_written_is_read_back(db_url):
    office_id = make_office("AB")
    with read_session() as s:
        assert s.scalar(select(Office.code).where(Office.id == office_id)) == "AB"
