"""A local cluster started from a script without ``if __name__ == "__main__":`` is refused
before any process starts, with the fix; a guarded script, or a function it calls, is not."""

import multiprocessing
import subprocess
import sys

import pytest

pytest.importorskip("distributed")

from glassnet.distributed.script_guard import check_script_guard
from glassnet.errors import InputError

CHECK = 'check_script_guard("connect(\'local:2\')", "spawn")'
IMPORT = "from glassnet.distributed.script_guard import check_script_guard\n"


def run_script(tmp_path, source: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "script.py"
    script.write_text(source)
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )


def test_connect_from_an_unguarded_script_says_to_add_the_guard(tmp_path):
    done = run_script(
        tmp_path,
        "from glassnet.distributed import connect\n\nclient = connect('local:2')\n",
    )
    assert done.returncode == 1
    assert 'script.py, line 3, outside `if __name__ == "__main__":`' in done.stderr
    assert "InputError" in done.stderr
    assert "Nanny" not in done.stderr  # refused before any worker process started


@pytest.mark.parametrize(
    "body",
    [
        f'if __name__ == "__main__":\n    {CHECK}\n',
        f"def main():\n    {CHECK}\n\nif '__main__' == __name__:\n    main()\n",
    ],
    ids=["guarded", "guarded call of a function"],
)
def test_a_guarded_script_passes(tmp_path, body):
    done = run_script(tmp_path, IMPORT + body + "print('ran')\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ran\n"


def test_an_unguarded_call_through_a_function_is_found(tmp_path):
    done = run_script(tmp_path, IMPORT + f"def main():\n    {CHECK}\n\nmain()\n")
    assert done.returncode == 1
    assert "script.py, line 5" in done.stderr


def test_fork_imports_nothing_again_and_python_c_has_no_script(tmp_path):
    done = run_script(tmp_path, IMPORT + 'check_script_guard("connect()", "fork")\n')
    assert done.returncode == 0, done.stderr
    code = IMPORT + CHECK
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_a_worker_importing_the_script_again_is_told_the_fix(monkeypatch):
    monkeypatch.setattr(multiprocessing.current_process(), "_inheriting", True, raising=False)
    with pytest.raises(InputError, match=r"while a worker process was starting.*__main__"):
        check_script_guard("connect('local:2')", "spawn")
