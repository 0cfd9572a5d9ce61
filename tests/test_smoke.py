from tests.conftest import login


def test_login_and_home(client, world):
    assert client.get("/").status_code == 302
    response = login(client, world["hr"])
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Hello, <bdi>Priya Shah</bdi>" in page
    assert "A-1" in page and "B-1" in page
