from tests.integration.test_fuzz import world, every_form  # noqa
def test_x(world, every_form):
    for c, f in every_form:
        if "/admin/customize" in f.action:
            data = {k: (v[0] if v else "") for k, v in f.fields.items()}
            for name in ("draft", "yaml_text"):
                if name in data:
                    data[name] = "a: 2027-02-30"
            try:
                r = c.post(f.action, data=data); print(f.action, sorted(f.fields)[:3], r.status_code)
            except Exception as e:
                print(f.action, sorted(f.fields)[:3], "EXC", repr(e)[:120])
