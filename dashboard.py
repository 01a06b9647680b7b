"""The Open Data Awards dashboard: `streamlit run dashboard.py`."""

import streamlit as st

from decisions import access
from views import _auth, _data, _ui

st.set_page_config(
    page_title="Open Data Awards · รางวัลข้อมูลเปิด", page_icon=":material/emoji_events:", layout="wide"
)
_data.ensure_demo()
t = _ui.t
pages = [
    ("overview", t("ภาพรวม", "Overview"), ":material/bar_chart:"),
    ("agency", t("หน่วยงาน", "Agency"), ":material/account_balance:"),
    ("datasets", t("ชุดข้อมูล", "Datasets"), ":material/dataset:"),
    ("awards", t("รางวัล", "Awards"), ":material/emoji_events:"),
    ("presenter", t("นำเสนอ", "Presenter"), ":material/co_present:"),
    ("health", t("สถานะข้อมูล", "Data health"), ":material/monitor_heart:"),
]


def home() -> None:
    """The root URL: open the first page this account may see, keeping the URL's parameters."""
    st.switch_page(f"views/{st.session_state['home']}.py", query_params=st.query_params.to_dict())


def navigation(shown: list[tuple[str, str, str]], position: str = "sidebar") -> st.Page:
    """Register the pages and return the one the URL asks for.

    Every page has its own path and a hidden page is the default at the root: Streamlit serves
    its default page only at /, so /overview would otherwise be "not found" for one account
    and not another.
    """
    root = st.Page(
        home, title=t("หน้าแรก", "Home"), url_path="home", default=True, visibility="hidden"
    )
    return st.navigation(
        [
            root,
            *(
                st.Page(f"views/{name}.py", title=title, icon=icon, url_path=name)
                for name, title, icon in shown
            ),
        ],
        position=position,  # type: ignore[arg-type]
    )


# Every page is registered, hidden, while the sign-in form shows: the URL keeps its page and view.
user = _auth.current_user(hold_page=lambda: navigation(pages, "hidden"))
st.session_state["viewer"] = user
announced = bool(_data.announced_years(_data.db_path()))
allowed = [p for p in pages if access.can_view(user, p[0], announced=announced)]
if (kiosk := _auth.kiosk()) is not None:  # a kiosk link: the Presenter of its year, nothing else
    allowed = [p for p in pages if p[0] == "presenter"]
    st.query_params["fy"] = str(kiosk.fiscal_year)
    _auth.watch_kiosk()
st.session_state["home"] = allowed[0][0]
navigation(allowed).run()
