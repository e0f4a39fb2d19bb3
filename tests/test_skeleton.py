import w2v_core


def test_package_imports_with_version():
    assert w2v_core.__version__.count(".") == 2
