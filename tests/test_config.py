"""Settings and lexicons: shipped data files, user overrides, empty groups refused."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from jikenbo import config


def test_every_shipped_lexicon_loads_with_no_empty_group():
    for path in sorted(config.DATA.joinpath("lexicon").iterdir()):
        if path.name.endswith(".toml"):
            assert config.lexicon(path.name[:-5])


def test_empty_group_is_an_error(tmp_path):
    config._check_nonempty({"a": {"cues": ["x"]}}, "ok")
    with pytest.raises(config.ConfigError, match=r"lexicon group t\.a\.cues is empty"):
        config._check_nonempty({"a": {"cues": []}}, "t")


def test_user_lexicon_extends_the_shipped_groups(tmp_path):
    (tmp_path / "incident_types.toml").write_text('[ransomware]\ncues = ["アキラ型暗号化"]\n', encoding="utf-8")
    code = textwrap.dedent("""
        from jikenbo import extract_text
        text = ("2024年5月1日\\n株式会社ほたる製作所\\n\\nシステム障害に関するお知らせ\\n\\n"
                "当社サーバーがアキラ型暗号化の被害を受け、業務を停止しております。")
        print(extract_text(text)[0].incident_types)
    """)
    env_out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                             env={"JIKENBO_LEXICON_DIR": str(tmp_path), "PATH": ""}).stdout
    plain_out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                               env={"PATH": ""}).stdout
    assert "ransomware" in env_out
    assert "ransomware" not in plain_out


def test_organisation_weights_are_settings_a_user_can_override_one_by_one(tmp_path):
    """The scoring weights of extract/org.py live in data/settings/org.toml; a user's
    [org.score] table overrides the weights it names and keeps the rest."""
    cfg = tmp_path / "jikenbo.toml"
    cfg.write_text("[org.score]\nmin_score = 1000\n", encoding="utf-8")
    code = textwrap.dedent("""
        from jikenbo import config, extract_text
        print(config.settings("org")["score"]["lead_subject"], config.settings("org")["score"]["min_score"])
        print([r.organization for r in extract_text("不正アクセスについて\\n\\n株式会社ほたる製作所は2031年5月1日、"
                                                  "サーバーに不正アクセスがあったと発表した。")])
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         env={"JIKENBO_CONFIG": str(cfg), "PATH": ""}).stdout.splitlines()
    plain = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                           env={"PATH": ""}).stdout.splitlines()
    assert out[0] == "6 1000" and plain[0] == "6 3"
    assert plain[1] == "['株式会社ほたる製作所']"
    assert out[1] == "[]"  # no candidate reaches the raised bar
