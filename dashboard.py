"""The Open Data Awards dashboard: `streamlit run dashboard.py`.

Pages live in views/, not pages/: Streamlit serves a pages/ folder's URLs without this sign-in.
"""

import streamlit as st

from views.parts import first_use

# before any other import: sessions of a freshly started server would import libraries at once
first_use.load()
from decisions import access  # noqa: E402
from ingest.db import DatabaseBusy  # noqa: E402
from views.parts import audit_chain, busy, data, demo, guard, ui  # noqa: E402

st.set_page_config(
    page_title="Open Data Awards · รางวัลข้อมูลเปิด",
    # An emoji favicon is drawn by the browser (a data: URL); a ":material/...:" one is fetched
    # from fonts.gstatic.com, a third party the stage PC may not reach. The icons inside the
    # pages come from the font installed with Streamlit.
    page_icon="🏆",
    layout="wide",
)
demo.ensure()  # first run: the demo is built by its own process
if data.not_a_database():  # said without the server's paths; the operator fixes ODA_DB
    st.error(ui.text("error.not_a_database"), icon=":material/error:")
    st.stop()
pages = [
    ("overview", ui.text("nav.overview"), ":material/bar_chart:"),
    ("winners", ui.text("nav.winners"), ":material/military_tech:"),
    ("agency", ui.text("nav.agency"), ":material/account_balance:"),
    ("datasets", ui.text("nav.datasets"), ":material/dataset:"),
    ("awards", ui.text("nav.awards"), ":material/emoji_events:"),
    ("presenter", ui.text("nav.presenter"), ":material/co_present:"),
    ("health", ui.text("nav.health"), ":material/monitor_heart:"),
]


def home() -> None:
    """The root URL: open the first page this account may see, keeping the URL's parameters."""
    # ?en is bound to the language toggle (setting it here raises); the toggle carries it over
    params = {k: v for k, v in st.query_params.to_dict().items() if k != "en"}
    if "en" not in st.session_state and ui.english():  # no toggle drawn yet (a kiosk link)
        st.session_state["en"] = True
    st.switch_page(f"views/{st.session_state['home']}.py", query_params=params)


def routes(shown: list[tuple[str, str, str]]) -> list[st.Page]:
    """Return the pages to register: each at its own path, and a hidden home page at the root.

    Streamlit serves its default page only at /, so a visible default would make /overview
    "not found" for one account and not another.
    """
    root = st.Page(
        home, title=ui.text("nav.home"), url_path="home", default=True, visibility="hidden"
    )
    return [
        root,
        *(
            st.Page(f"views/{name}.py", title=title, icon=icon, url_path=name)
            for name, title, icon in shown
        ),
    ]


# Every page is registered, hidden, while the sign-in form shows: the URL keeps its page and view.
user = guard.current_user(hold_page=lambda: st.navigation(routes(pages), position="hidden"))
st.session_state["viewer"] = user
try:
    announced = bool(data.announced_years(data.db_path()))
except DatabaseBusy:
    busy.database_busy()  # says so in Thai and English, then reruns
    announced = False
if user.role == "staff" and (db_path := data.db_path()) is not None:
    audit_chain.sidebar_warning(data.audit_check(db_path))  # changed outside the app?
allowed = [p for p in pages if access.can_view(user, p[0], announced=announced)]
if (kiosk := guard.kiosk()) is not None:  # a kiosk link: the Presenter of its year, nothing else
    allowed = [p for p in pages if p[0] == "presenter"]
    st.query_params["fy"] = str(kiosk.fiscal_year)
    guard.watch_kiosk()
names = [name for name, _, _ in allowed]
# an agency account opens on its own agency's page, whatever else it may see
st.session_state["home"] = "agency" if user.role == "agency" and "agency" in names else names[0]
shown = routes(allowed)
missing = ui.requested_page({"home", *(name for name, _, _ in allowed)})
if missing:  # say so in the reader's language rather than Streamlit's English dialog
    st.session_state["requested_page"] = missing
    shown.append(
        st.Page(
            "views/not_found.py",
            title=ui.text("nav.not_found_title"),
            url_path=missing,
            visibility="hidden",
        )
    )
try:
    st.navigation(shown).run()
except DatabaseBusy:
    busy.database_busy()
