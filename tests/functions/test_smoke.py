def test_register_verify_login_and_me(api, mail, candidate):
    me = api.call("GET", "/me", token=candidate["token"])
    assert me.status == 200, me.body
    assert me.json()["username"] == "ada"
