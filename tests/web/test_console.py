"""The staff console: sign-in steps, CSRF, idle timeout, and role-limited pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp

from hutong.core.clock import utcnow
from hutong.identity.models import ConsoleSession
from hutong.web.console.catalog import index as catalog_index
from tests.support import entry, previous, published


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username, password, totp=""):
    form = client.get("/console/login")
    return client.post(
        "/console/login",
        data={
            "username": username,
            "password": password,
            "totp": totp,
            "csrf_token": csrf(form.text),
            "next": "/console",
        },
        follow_redirects=False,
    )


def test_steward_signs_in_and_sees_chinese_home(client, org):
    response = sign_in(client, "data.steward", org.password)
    assert response.status_code == 303 and response.headers["location"] == "/console"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = client.get("/console")
    assert "您好，data_steward" in home.text and "教师工作司" in home.text
    assert "审计日志" not in home.text  # a steward has no audit link


def test_wrong_password_shows_chinese_error(client, org):
    response = sign_in(client, "data.steward", "wrong")
    assert response.status_code == 401 and "用户名或密码错误" in response.text


def test_login_form_without_csrf_cookie_is_refused(client, org):
    response = client.post(
        "/console/login",
        data={"username": "data.steward", "password": org.password, "csrf_token": "forged"},
    )
    assert response.status_code == 400


def test_officer_must_enrol_totp_before_anything_else(client, org):
    response = sign_in(client, "auditor", org.password)
    assert response.headers["location"] == "/console/totp"
    assert (
        client.get("/console/audit", follow_redirects=False).headers["location"] == "/console/totp"
    )
    assert client.get("/api/v1/audit/events").status_code == 403
    page = client.get("/console/totp")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    wrong = client.post(
        "/console/totp",
        data={"code": "000000", "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert "/console/totp" in wrong.headers["location"]
    assert "动态验证码错误" in client.get(wrong.headers["location"]).text
    page = client.get("/console/totp")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    done = client.post(
        "/console/totp",
        data={"code": previous(pyotp.TOTP(secret)), "csrf_token": csrf(page.text)},
        follow_redirects=False,
    )
    assert done.headers["location"] == "/console"
    audit = client.get("/console/audit")
    assert audit.status_code == 200 and "审计日志" in audit.text and "auth.login" in audit.text
    client.cookies.clear()
    assert sign_in(client, "auditor", org.password).status_code == 401  # now the code is required
    assert (
        sign_in(client, "auditor", org.password, pyotp.TOTP(secret).now()).headers["location"]
        == "/console"
    )


def test_one_time_password_forces_a_change_first(client, db, org, system):
    from hutong.identity.schemas import UserCreate
    from hutong.identity.service import create_user

    with db.transaction() as session:
        otp = create_user(
            session,
            system,
            UserCreate(
                username="fresh.one",
                display_name="新用户",
                unit_code=org.dept_b,
                roles=["data_consumer"],
            ),
        ).one_time_password
    assert sign_in(client, "fresh.one", otp).headers["location"] == "/console/password"
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/password"
    page = client.get("/console/password")
    # no form but the pending step itself works before the step is done
    form = {"transition": "submit", "csrf_token": csrf(page.text)}
    blocked = client.post("/console/catalog/r/30101/000001/step", data=form, follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"] == "/console/password"
    weak = client.post(
        "/console/password",
        data={
            "current_password": otp,
            "new_password": "weakweak",
            "confirm_password": "weakweak",
            "csrf_token": csrf(page.text),
        },
    )
    assert weak.status_code == 422 and "至少需要 10 个字符" in weak.text
    ok = client.post(
        "/console/password",
        data={
            "current_password": otp,
            "new_password": "Fresh-Start-2026",
            "confirm_password": "Fresh-Start-2026",
            "csrf_token": csrf(page.text),
        },
        follow_redirects=False,
    )
    assert ok.headers["location"] == "/console"


def test_forms_need_the_sessions_csrf_token(client, db, org):
    sign_in(client, "data.steward", org.password)
    assert client.post("/console/logout", data={"csrf_token": "forged"}).status_code == 403
    assert (
        client.post(
            "/api/v1/units", json={"code": "MOE-X", "name": "x", "kind": "ministry_department"}
        ).status_code
        == 403
    )  # cookie without the CSRF header


def test_idle_session_expires(client, db, org):
    sign_in(client, "data.steward", org.password)
    with db.engine.begin() as connection:
        connection.execute(
            ConsoleSession.__table__.update().values(last_seen_at=utcnow() - timedelta(minutes=31))
        )
    assert (
        client.get("/console", follow_redirects=False)
        .headers["location"]
        .startswith("/console/login")
    )


def test_system_admin_creates_user_in_console_and_password_stays_out_of_urls(client, db, org):
    from tests.support import enrol_totp

    totp = enrol_totp(db, "system.admin")
    sign_in(client, "system.admin", org.password, totp.now())
    page = client.get("/console/users")
    assert "安全审计员" in page.text
    created = client.post(
        "/console/users",
        data={
            "username": "li.si",
            "display_name": "李四",
            "unit_code": org.dept_b,
            "roles": ["data_consumer"],
            "csrf_token": csrf(page.text),
        },
        follow_redirects=False,
    )
    assert (
        created.status_code == 201
        and "一次性密码" in created.text
        and "location" not in created.headers
    )
    refused = client.post(
        "/console/users",
        data={
            "username": "two.hats",
            "display_name": "x",
            "unit_code": org.dept_b,
            "roles": ["system_admin", "auditor"],
            "csrf_token": csrf(page.text),
        },
    )
    assert refused.status_code == 409 and "三员分立" in refused.text  # as the API answers
    refused_page = client.get("/console/audit", follow_redirects=False)
    assert refused_page.status_code == 403 and "无权执行此操作" in refused_page.text


def mapping_form(html: str) -> tuple[str, dict[str, str]]:
    """The mapping page's action and the item each column's select proposes."""
    action = re.search(r'action="([^"]*/datasets/map/[^"]+)"', html).group(1)
    selects = re.findall(r'<select id="(map_\d+)".*?</select>', html, re.S)
    chosen = {}
    for name in selects:
        block = re.search(rf'<select id="{name}".*?</select>', html, re.S).group(0)
        picked = re.search(r'<option value="([^"]*)" selected>', block)
        chosen[name] = picked.group(1) if picked else ""
    return action, chosen


def school_entry(db, org, actors):
    from hutong.catalog import service
    from tests.support import entry

    body = entry(
        org,
        items=[
            {"name": "学校标识码", "data_type": "字符型"},
            {"name": "学校名称", "data_type": "字符型"},
        ],
    )
    with db.transaction() as session:
        return service.create(session, actors["data_steward"], body).code


def test_dataset_upload_from_the_entry_page_and_signed_messages(client, db, org, classes, actors):
    code = school_entry(db, org, actors)
    sign_in(client, "data.steward", org.password)
    page = client.get(f"/console/catalog/r/{code}")
    assert "尚无数据" in page.text and "上传" in page.text
    csv_gbk = "学校标识码,学校名称\r\n4111010001,北京大学\r\n4199010001,不存在\r\n".encode("gbk")
    mapped = client.post(
        f"/console/catalog/r/{code}/datasets",
        data={"csrf_token": csrf(page.text)},
        files={"file": ("学校.csv", csv_gbk, "text/csv")},
        follow_redirects=True,
    )
    action, chosen = mapping_form(mapped.text)
    assert chosen == {"map_0": "学校标识码", "map_1": "学校名称"}  # names match
    refused = client.post(action, data={"csrf_token": csrf(page.text), **chosen})
    assert refused.status_code == 422 and "第 3 行“学校标识码”" in refused.text
    done = client.post(
        action,
        data={"csrf_token": csrf(page.text), "on_invalid": "quarantine", **chosen},
        follow_redirects=True,
    )
    assert "v1" in done.text and "gb18030" in done.text
    summary = re.search(r'<div[^>]*id="ingest-summary">(.*?)</div>', done.text, re.S).group(1)
    assert "最近一次导入" in summary
    assert "第 1 版导入 1 行，隔离 1 行。主要原因：“学校标识码”学校标识码无效" in summary
    assert f'href="/api/v1/resources/{code}/datasets/1/rejects"' in summary
    assert client.get(action).history[0].status_code == 303  # the kept upload is gone
    forged = client.get(f"/console/catalog/r/{code}?error=请拨打电话领取补贴&sig=0000")
    assert "领取补贴" not in forged.text


def test_an_upload_with_no_valid_row_is_refused_on_the_mapping_page(
    client, db, org, classes, actors
):
    code = school_entry(db, org, actors)
    sign_in(client, "data.steward", org.password)
    page = client.get(f"/console/catalog/r/{code}")
    mapped = client.post(
        f"/console/catalog/r/{code}/datasets",
        data={"csrf_token": csrf(page.text), "on_invalid": "quarantine"},
        files={"file": ("s.csv", "学校标识码,学校名称\n1211010001,某校\n".encode(), "text/csv")},
        follow_redirects=True,
    )
    action, chosen = mapping_form(mapped.text)
    refused = client.post(
        action, data={"csrf_token": csrf(page.text), "on_invalid": "quarantine", **chosen}
    )
    assert refused.status_code == 422
    assert "全部 1 行均未通过校验，未发布新版本" in refused.text
    assert "“学校标识码”学校标识码无效（类别、省份代码或位数错误）（1 行）" in refused.text
    assert "尚无数据" in client.get(f"/console/catalog/r/{code}").text


def test_upload_maps_renamed_columns_and_remembers_the_mapping(client, db, org, classes, actors):
    code = school_entry(db, org, actors)
    sign_in(client, "data.steward", org.password)
    page = client.get(f"/console/catalog/r/{code}")
    token = csrf(page.text)
    data = "学校代码,校名\n4111010001,北京大学\n".encode()

    def upload():
        return client.post(
            f"/console/catalog/r/{code}/datasets",
            data={"csrf_token": token},
            files={"file": ("schools.csv", data, "text/csv")},
            follow_redirects=True,
        )

    first = upload()
    action, chosen = mapping_form(first.text)
    assert chosen == {"map_0": "学校标识码", "map_1": ""}  # a synonym; 校名 is not obvious
    assert "没有对应列的信息项：学校名称" in first.text
    unmapped = client.post(action, data={"csrf_token": token, **chosen})
    assert unmapped.status_code == 422 and "以下列不是该资源的信息项：校名" in unmapped.text
    twice = client.post(
        action, data={"csrf_token": token, "map_0": "学校名称", "map_1": "学校名称"}
    )
    assert twice.status_code == 422 and "同一信息项对应了多个列" in twice.text
    done = client.post(
        action,
        data={"csrf_token": token, "map_0": "学校标识码", "map_1": "学校名称"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].endswith("#datasets")
    _action, again = mapping_form(upload().text)
    assert again == {"map_0": "学校标识码", "map_1": "学校名称"}  # remembered for the entry
    sign_in(client, "catalog.reviewer", org.password)  # another user cannot use the upload
    assert client.get(_action, follow_redirects=False).status_code == 303


def test_overlap_justification_in_the_entry_form_and_the_reviewers_page(
    client, db, org, classes, actors, province_steward
):
    from tests.support import entry, published

    code = published(db, actors, entry(org))
    sign_in(client, "steward.bj", org.password)
    form = client.get("/console/catalog/new")
    assert 'name="overlap_justification"' in form.text
    fields = {
        "csrf_token": csrf(form.text),
        "name": "北京市教师信息",
        "classification_code": "30101",
        "attribute": "department",
        "format": "table",
        "provider_unit_code": org.province,
        "summary": "北京市中小学教师基本信息。",
        "share_type": "conditional",
        "open_type": "not_open",
        "update_cycle": "monthly",
        "data_kind": "administrative",
        "grade": "general",
        "general_level": "2",
        "item_name": ["姓名", "教龄"],
        "item_data_type": ["字符型", "数值型"],
        "item_length": ["", ""],
        "item_element_ref": ["", ""],
        "item_description": ["", ""],
        "item_pi_category": ["identity", "none"],
        "item_default_mask": ["partial", "none"],
    }
    refused = client.post("/console/catalog/new", data=fields)
    assert (
        refused.status_code == 422 and "一数一源" in refused.text and "教师工作司" in refused.text
    )
    assert (
        'id="overlap_justification" name="overlap_justification" rows="2" aria-invalid="true"'
        in (refused.text)
    )
    assert 'value="北京市教师信息"' in refused.text  # what was typed comes back
    fields["overlap_justification"] = "本市系统为本市业务数据源"
    saved = client.post("/console/catalog/new", data=fields, follow_redirects=True)
    assert saved.status_code == 200 and "其他单位已提供的信息项" in saved.text
    assert "本市系统为本市业务数据源" in saved.text
    client.post("/console/logout", data={"csrf_token": csrf(saved.text)})
    sign_in(client, "catalog.reviewer", org.password)
    listed = client.get("/console/catalog/overlaps")
    assert listed.status_code == 200 and "北京市教师信息" in listed.text and code in listed.text
    assert "共 1 个重复登记的信息项" in listed.text
    assert "没有重复登记的信息项" in client.get("/console/catalog/overlaps?missing=1").text


def test_items_declare_precision_and_range_in_the_entry_form(client, db, org, classes):
    sign_in(client, "data.steward", org.password)
    form = client.get("/console/catalog/new")
    fields = {
        "csrf_token": csrf(form.text),
        "name": "全国学校规模统计",
        "classification_code": "30101",
        "attribute": "department",
        "format": "table",
        "provider_unit_code": org.dept_a,
        "summary": "各校在校生数与生均经费。",
        "share_type": "conditional",
        "open_type": "not_open",
        "update_cycle": "annual",
        "data_kind": "statistical",
        "grade": "general",
        "general_level": "1",
        "item_name": ["在校生数", "生均经费"],
        "item_data_type": ["数值型", "数值型"],
        "item_length": ["6", "10"],
        "item_precision": ["0", "2"],
        "item_min_value": ["100", "0"],
        "item_max_value": ["50", ""],
        "item_element_ref": ["", ""],
        "item_description": ["", ""],
        "item_pi_category": ["none", "none"],
        "item_default_mask": ["none", "none"],
    }
    refused = client.post("/console/catalog/new", data=fields)
    assert refused.status_code == 422 and "取值下限大于取值上限" in refused.text
    assert 'name="item_min_value" type="number" step="any" value="100"' in refused.text
    fields["item_min_value"] = ["0", "0"]
    fields["item_max_value"] = ["500000", "99999999.99"]
    saved = client.post("/console/catalog/new", data=fields, follow_redirects=True)
    assert saved.status_code == 200, saved.text
    cells = re.sub(r"\s+", "", saved.text)
    assert "<td>在校生数</td><td>数值型</td><td>6</td><td>0</td><td>0～500000</td>" in cells
    assert "<td>生均经费</td><td>数值型</td><td>10</td><td>2</td><td>0～99999999.99</td>" in cells


def test_a_missing_console_page_is_a_chinese_page_and_the_api_stays_json(client, org):
    sign_in(client, "data.steward", org.password)
    page = client.get("/console/catalog/r/9/999999", headers={"accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "信息资源不存在" in page.text and "返回" in page.text
    api = client.get("/api/v1/resources/9/999999", headers={"accept": "text/html"})
    assert api.status_code in (401, 404)
    assert api.headers["content-type"] == "application/problem+json"


def test_the_entry_form_offers_data_types_and_refuses_items_that_cannot_hold_data(
    client, db, org, classes
):
    from hutong.catalog.vocab import ItemType

    sign_in(client, "data.steward", org.password)
    form = client.get("/console/catalog/new")
    choice = re.search(r'<select name="item_data_type".*?</select>', form.text).group(0)
    assert re.findall(r"<option[^>]*>([^<]+)</option>", choice) == [t.zh for t in ItemType]
    fields = {
        "csrf_token": csrf(form.text),
        "name": "全国教师入职信息",
        "classification_code": "30101",
        "attribute": "department",
        "format": "table",
        "provider_unit_code": org.dept_a,
        "summary": "教师入职日期与岗位。",
        "share_type": "conditional",
        "open_type": "not_open",
        "update_cycle": "monthly",
        "data_kind": "administrative",
        "grade": "general",
        "item_name": ["岗位", "入职日期"],
        "item_data_type": ["字符型", "日期型"],
        "item_length": ["20", "4"],
        "item_precision": ["", ""],
        "item_pi_category": ["none", "none"],
        "item_default_mask": ["none", "none"],
    }
    refused = client.post("/console/catalog/new", data=fields)
    assert refused.status_code == 422
    assert "信息项「入职日期」：日期型的长度至少为 8" in refused.text
    fields["item_data_type"] = ["字符型", "日期"]
    fields["item_length"] = ["20", "8"]
    free_text = client.post("/console/catalog/new", data=fields)
    assert (
        free_text.status_code == 422 and "第 2 个信息项的数据类型”须从列表中选择" in free_text.text
    )
    fields["item_data_type"] = ["字符型", "日期型"]
    saved = client.post("/console/catalog/new", data=fields, follow_redirects=True)
    assert saved.status_code == 200 and "全国教师入职信息" in saved.text


def test_revisions_are_filed_shown_and_decided_in_the_console(client, db, org, classes, actors):
    from tests.support import enrol_totp, entry, published

    items = [{"name": "学校标识码", "data_type": "字符型", "length": 10}]
    plain = dict(grade="general", general_level=2, has_pi=False, approx_persons=None)
    code = published(db, actors, entry(org, name="全国学校名录", items=items, **plain))
    page = f"/console/catalog/r/{code}"
    sign_in(client, "data.steward", org.password)
    form = client.get(f"{page}/edit")
    fields = {
        "csrf_token": csrf(form.text),
        "name": "全国学校名录",
        "classification_code": "30101",
        "attribute": "department",
        "format": "database",
        "provider_unit_code": org.dept_a,
        "summary": entry(org).summary,
        "share_type": "conditional",
        "share_conditions": "用于教师队伍建设管理",
        "share_method": "共享平台接口",
        "open_type": "on_request",  # was 不予公开: this loosens
        "update_cycle": "monthly",
        "data_kind": "administrative",
        "grade": "general",
        "general_level": "2",
        "item_name": ["学校标识码"],
        "item_data_type": ["字符型"],
        "item_length": ["10"],
        "item_precision": [""],
        "item_pi_category": ["none"],
        "item_default_mask": ["none"],
    }
    shown = client.post(f"{page}/edit", data=fields, follow_redirects=True)
    assert shown.status_code == 200 and "待审核的修订" in shown.text
    assert "公开类型由「不予公开」放宽为「依申请公开」" in shown.text
    assert "<del>不予公开</del>" in shown.text and "<ins>依申请公开</ins>" in shown.text
    assert 'value="approve"' not in shown.text  # the steward cannot decide
    client.post("/console/logout", data={"csrf_token": csrf(shown.text)})

    sign_in(client, "catalog.reviewer", org.password)
    queue = client.get("/console/catalog?view=review")
    assert "待审核的已发布资源修订" in queue.text and "全国学校名录" in queue.text
    entry_page = client.get(page)
    token = csrf(entry_page.text)
    assert 'value="approve"' in entry_page.text and 'value="return"' in entry_page.text
    unexplained = client.post(
        f"{page}/revisions/1",
        data={"csrf_token": token, "transition": "return"},
        follow_redirects=True,
    )
    assert "退回修订须说明理由" in unexplained.text
    approved = client.post(
        f"{page}/revisions/1",
        data={"csrf_token": token, "transition": "approve"},
        follow_redirects=True,
    )
    assert "待审核的修订" not in approved.text and "依申请公开" in approved.text
    assert "修订第 1 号 · 已生效" in approved.text
    client.post("/console/logout", data={"csrf_token": csrf(approved.text)})

    totp = enrol_totp(db, "security.admin")
    sign_in(client, "security.admin", org.password, totp.now())
    admin_page = client.get(page)
    assert "调整数据级别" in admin_page.text
    lowered = client.post(
        f"{page}/grade",
        data={
            "csrf_token": csrf(admin_page.text),
            "grade": "general",
            "general_level": "1",
            "reason": "复核",
        },
        follow_redirects=True,
    )
    assert "数据级别由「一般数据（2 级）」降为「一般数据（1 级）」" in lowered.text


def test_a_chosen_facet_is_cleared_by_its_own_link(client, db, org, classes, actors):
    """The ✕ beside a chosen facet leads to the same search without that facet (its href once
    printed a Python method, a 404 for everyone)."""
    from tests.support import entry, published

    published(db, actors, entry(org, name="全国学校名录"))
    sign_in(client, "data.steward", org.password)
    listing = client.get("/console/catalog", params={"q": "名录"})
    facet = re.search(r'<li><a href="(/console/catalog\?[^"]*grade=[^"]+)"', listing.text)
    assert facet is not None and "全国学校名录" in listing.text
    chosen = client.get(facet.group(1).replace("&amp;", "&"))
    assert "全国学校名录" in chosen.text
    clear = re.search(r'<a href="([^"]+)" class="muted">✕', chosen.text)
    assert clear is not None
    href = clear.group(1).replace("&amp;", "&")
    assert href.startswith("/console/catalog?") and "grade=" not in href and "q=" in href
    cleared = client.get(href)
    assert cleared.status_code == 200 and "全国学校名录" in cleared.text


def test_the_catalog_list_is_paged_by_page_number(client, db, org, classes, actors, monkeypatch):
    for name in ("全国教师基本信息", "全国教师资格信息"):
        published(db, actors, entry(org, name=name))
    monkeypatch.setattr(catalog_index, "PAGE_SIZE", 1)
    sign_in(client, "data.steward", org.password)
    first = client.get("/console/catalog").text
    assert 'href="/console/catalog?page=2"' in first and "上一页" not in first
    second = client.get("/console/catalog?page=2").text
    assert 'href="/console/catalog?page=1"' in second and "下一页" not in second
    names = [n for n in ("全国教师基本信息", "全国教师资格信息") if n in first + second]
    assert len(names) == 2 and not all(n in second for n in names)
    assert client.get("/console/catalog?page=x").status_code == 200
