"""The sandbox a kernel that runs learner code starts in (Linux namespaces, via bubblewrap).

A submission is untrusted code. :class:`SandboxedKernelManager` starts its kernel
inside ``bwrap`` (Debian's ``bubblewrap``), so that the code sees and reaches only:

- **read-only**: the system's programs and libraries (``/usr``, ``/lib``...), a few
  files of ``/etc`` that programs need (no ``/etc/shadow``), the Python environment
  (the virtual environment and the interpreter it was made from), the course library
  ``rnn_lib`` and the data home;
- **read-write**: the kernel's working folder (the submission's own folder, for the
  files a lesson writes), a private ``/tmp`` of at most :attr:`Limits.tmp_bytes`, and
  the folder of the IPC sockets through which the grader talks to the kernel;
- **stubs**: in a submission of a lesson whose exercises the course library answers,
  those functions' bodies (:mod:`course_tools.reference_answers`), with the package's
  compiled bytecode hidden;
- **nothing else**: no network at all (its own empty network namespace: not even the
  host's 127.0.0.1), no other process (its own PID namespace), no home folder, no
  ``solutions/``, gradebook, other submissions or grading tooling, and no environment
  variable the grader has beyond the few a kernel needs (:func:`kernel_environment`);
- **limits** (:class:`Limits`): memory and processes (threads included) of the whole
  sandbox, with a control group of its own (:class:`ControlGroup`: cgroup v2, or v1's
  ``pids`` and ``memory`` hierarchies); address space and open files of each process,
  with ``setrlimit``. The wall time is the grader's per-cell timeout.

The kernel runs as an unprivileged user (uid 1000) in a user namespace of its own,
with no capabilities, and dies with the grader (``--die-with-parent``). Interrupts go
as messages on the control channel (``interrupt_mode = "message"``): a signal to the
process group would reach ``bwrap`` first.

:func:`sandbox_problem` says why no sandbox can be made on a machine (not Linux, no
``bwrap``, no user namespaces), so that grading can refuse instead of running learner
code unconfined.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

from course_tools.reference_answers import answer_overlays
from rnn_lib.notebook import QUIET_TENSORFLOW_ENV

__all__ = [
    "UNSANDBOXED_ENV",
    "ControlGroup",
    "Limits",
    "SandboxedKernelManager",
    "kernel_environment",
    "grading_refusal",
    "readable_paths",
    "sandbox_command",
    "sandbox_problem",
    "unconfined",
]

#: Folders of the system a Python kernel needs, bound read-only where they exist.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64")
#: Files and folders of /etc that programs read (the dynamic loader, users, time zone,
#: certificates); nothing secret.
ETC_ENTRIES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/passwd",
    "/etc/group",
    "/etc/ssl/certs",
    "/etc/fonts",
)
#: Variables that reach the kernel from the grader's environment (all others are
#: cleared): the locale, the hash seed, the course's TensorFlow settings.
PASSED_VARIABLES = ("LANG", "LC_ALL", "PYTHONHASHSEED", "MPLBACKEND", *QUIET_TENSORFLOW_ENV)
#: The prefix of the course's own variables (seed offset, threads, quick mode, data home).
PASSED_PREFIX = "RNN_COURSE_"
#: The unprivileged user the kernel runs as inside its user namespace.
SANDBOX_UID = 1000
#: Set to 1 to run grading kernels unconfined where no sandbox can be made: only for
#: code the instructor trusts (the course's own solutions, say), never for submissions.
UNSANDBOXED_ENV = "RNN_COURSE_UNSANDBOXED"


@dataclass(frozen=True)
class Limits:
    """Resource limits of a sandboxed kernel.

    Attributes:
        memory_bytes: memory of the whole sandbox (its control group), ``/tmp``
            included; beyond it the kernel's allocations fail or it is killed.
        address_space_bytes: address space of each process (``RLIMIT_AS``), set well
            above the memory limit: TensorFlow reserves more than it touches.
        processes: processes and threads in the sandbox (the control group's
            ``pids.max``); TensorFlow starts a few dozen threads.
        open_files: open file descriptors per process (``RLIMIT_NOFILE``).
        tmp_bytes: size of the private ``/tmp`` (a tmpfs).
    """

    memory_bytes: int = 6 * 2**30
    address_space_bytes: int = 16 * 2**30
    processes: int = 256
    open_files: int = 4096
    tmp_bytes: int = 2**30


CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass
class ControlGroup:
    """A control group of its own for one sandbox: its memory and process limits.

    cgroup v2 (one folder with ``pids.max`` and ``memory.max``) or v1 (a folder in the
    ``pids`` hierarchy and one in the ``memory`` hierarchy), made under this process's
    own group. :meth:`join_command` puts a command in it before it starts anything, so
    every process of the sandbox is counted; :meth:`remove` kills what is left and
    removes the folders.
    """

    folders: list[Path]

    @classmethod
    def create(cls, limits: Limits, name: str) -> ControlGroup:
        """Make the group, with ``limits``; ``RuntimeError`` saying why when it cannot."""
        made: list[Path] = []
        try:
            for hierarchy, settings in _hierarchies(limits).items():
                folder = hierarchy / name
                folder.mkdir()
                made.append(folder)
                for setting, value in settings.items():
                    if (folder / setting).exists():
                        (folder / setting).write_text(str(value))
        except OSError as error:
            cls(made).remove()
            raise RuntimeError(f"cannot make a control group: {error}") from error
        return cls(made)

    def join_command(self) -> list[str]:
        """A command prefix that moves itself into the group, then runs the rest."""
        code = (
            "import os, sys\n"
            "for folder in sys.argv[1].split(os.pathsep):\n"
            "    with open(os.path.join(folder, 'cgroup.procs'), 'w') as procs:\n"
            "        procs.write(str(os.getpid()))\n"
            "os.execv(sys.argv[2], sys.argv[2:])\n"
        )
        return [sys.executable, "-c", code, os.pathsep.join(map(str, self.folders))]

    def kill_all(self) -> None:
        """Kill every process in the group (a restarted kernel starts in an empty one)."""
        for folder in self.folders:
            for _ in range(50):
                pids = _read_pids(folder)
                if not pids:
                    break
                _kill(pids)
                time.sleep(0.02)

    def processes(self) -> int | None:
        """How many processes and threads the group holds (``pids.current``), if known."""
        for folder in self.folders:
            try:
                return int((folder / "pids.current").read_text())
            except (OSError, ValueError):
                continue
        return None

    def remove(self) -> None:
        """Kill every process still in the group, and remove its folders."""
        for folder in self.folders:
            for _ in range(50):
                _kill(_read_pids(folder))
                try:
                    folder.rmdir()
                    break
                except OSError:
                    time.sleep(0.1)


def _kill(pids: list[int]) -> None:
    """SIGKILL each of ``pids`` (those already gone are skipped)."""
    for pid in pids:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def _read_pids(folder: Path) -> list[int]:
    try:
        return [int(line) for line in (folder / "cgroup.procs").read_text().split()]
    except OSError:
        return []


def _hierarchies(limits: Limits) -> dict[Path, dict[str, int]]:
    """This process's own control-group folders, and the limit files to write in each."""
    lines = Path("/proc/self/cgroup").read_text().splitlines()
    entries = [line.split(":", 2) for line in lines]
    if (CGROUP_ROOT / "cgroup.controllers").exists():  # cgroup v2 alone
        (own,) = [path for number, _, path in entries if number == "0"]
        folder = CGROUP_ROOT / own.lstrip("/")
        enabled = (folder / "cgroup.subtree_control").read_text().split()
        if not {"pids", "memory"} <= set(enabled):
            raise RuntimeError(f"pids and memory are not enabled below {folder}")
        limits_v2 = {
            "pids.max": limits.processes,
            "memory.max": limits.memory_bytes,
            "memory.swap.max": 0,
        }
        return {folder: limits_v2}
    found = {}
    for _, controllers, path in entries:
        for controller, settings in (
            ("pids", {"pids.max": limits.processes}),
            (
                "memory",
                {
                    "memory.limit_in_bytes": limits.memory_bytes,
                    "memory.memsw.limit_in_bytes": limits.memory_bytes,
                },
            ),
        ):
            if controller in controllers.split(","):
                found[CGROUP_ROOT / controller / path.lstrip("/")] = settings
    if len(found) < 2:
        raise RuntimeError("no pids and memory control groups (cgroup v1) on this machine")
    return found


def readable_paths() -> list[Path]:
    """What a kernel reads besides the system: Python, ``rnn_lib`` and the data home.

    The virtual environment and the interpreter it was made from, the ``rnn_lib``
    package (installed editable, its folder is outside the environment) and the data
    home (:func:`rnn_lib.data.home.data_home`), each where it exists.
    """
    import rnn_lib
    from rnn_lib.data.home import data_home

    paths = [Path(sys.prefix), Path(sys.base_prefix).resolve(), Path(rnn_lib.__file__).parent]
    paths.append(data_home())
    return [path for path in dict.fromkeys(paths) if path.exists()]


def kernel_environment(home: str, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a sandboxed kernel: a few of the grader's variables, and a home.

    Args:
        home: the kernel's home folder (writable, private; caches go there too).
        environ: the grader's environment (``os.environ`` by default).

    Returns:
        The variables to set; everything else the grader has (tokens, paths into the
        course) is cleared.
    """
    environ = dict(os.environ if environ is None else environ)
    kept = {
        name: value
        for name, value in environ.items()
        if name in PASSED_VARIABLES or name.startswith(PASSED_PREFIX)
    }
    python_bin = str(Path(sys.executable).parent)
    return {
        **kept,
        "PATH": f"{python_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": "/tmp",
        "KERAS_HOME": f"{home}/.keras",
        "MPLCONFIGDIR": f"{home}/.matplotlib",
        "XDG_CACHE_HOME": f"{home}/.cache",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _limit_launcher(limits: Limits) -> list[str]:
    """A Python one-liner that sets the limits, then becomes the command after it."""
    code = (
        "import os, resource as r, sys\n"
        f"r.setrlimit(r.RLIMIT_AS, ({limits.address_space_bytes},) * 2)\n"
        f"r.setrlimit(r.RLIMIT_NOFILE, ({limits.open_files}, {limits.open_files}))\n"
        "os.execv(sys.argv[1], sys.argv[1:])\n"
    )
    return [sys.executable, "-c", code]


def sandbox_command(
    argv: Sequence[str],
    *,
    workdir: Path,
    writable: Iterable[Path] = (),
    readable: Iterable[Path] | None = None,
    limits: Limits = Limits(),
    cgroup: ControlGroup | None = None,
    environ: dict[str, str] | None = None,
    overlays: Iterable[tuple[Path, Path]] = (),
    hidden: Iterable[Path] = (),
) -> list[str]:
    """The ``bwrap`` command line that runs ``argv`` in the sandbox.

    Args:
        argv: the command (a kernel's, say), its first item an absolute path.
        workdir: the working folder, bound read-write at the same path.
        writable: more folders bound read-write at the same path (the IPC folder).
        readable: folders bound read-only at the same path (:func:`readable_paths` by
            default).
        limits: the resource limits of each process (``setrlimit``).
        cgroup: the control group the sandbox starts in (its memory and processes).
        environ: the grader's environment, filtered by :func:`kernel_environment`.
        overlays: pairs (file, path): ``file`` is seen, read-only, at ``path`` (the course
            library's reference answers, stripped: :mod:`course_tools.reference_answers`).
        hidden: folders replaced by an empty one (their compiled bytecode).

    Returns:
        The command line: joining ``cgroup``, then ``bwrap``.
    """
    home = "/tmp/home"
    command = [
        shutil.which("bwrap") or "bwrap",
        "--die-with-parent",
        "--unshare-all",  # user, IPC, PID, network, UTS and cgroup namespaces
        "--unshare-user",
        "--uid",
        str(SANDBOX_UID),
        "--gid",
        str(SANDBOX_UID),
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(limits.tmp_bytes),
        "--tmpfs",
        "/tmp",
        "--dir",
        home,
        "--clearenv",
    ]
    for folder in SYSTEM_FOLDERS + ETC_ENTRIES:
        if os.path.lexists(folder):
            command += ["--ro-bind", folder, folder]
    for path in readable_paths() if readable is None else readable:
        command += ["--ro-bind", str(path), str(path)]
    for path in (*writable, workdir):
        command += ["--bind", str(path), str(path)]
    for file, path in overlays:
        command += ["--ro-bind", str(file), str(path)]
    for folder in hidden:
        command += ["--tmpfs", str(folder)]
    command += ["--remount-ro", "/"]  # the root holds only the mount points: read-only
    for name, value in sorted(kernel_environment(home, environ).items()):
        command += ["--setenv", name, value]
    join = cgroup.join_command() if cgroup is not None else []
    return [*join, *command, "--chdir", str(workdir), "--", *_limit_launcher(limits), *argv]


def sandbox_problem() -> str | None:
    """Why no sandbox can be made on this machine; ``None`` when one can.

    Tries the real thing: a control group, and ``bwrap`` with every namespace in it,
    running ``true``.
    """
    if not sys.platform.startswith("linux"):
        return f"the sandbox needs Linux namespaces; this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return "bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap)"
    try:
        cgroup = ControlGroup.create(Limits(), f"rnn-probe-{os.getpid()}")
    except RuntimeError as error:
        return f"no limits on the sandbox's memory and processes: {error}"
    try:
        with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as folder:
            command = sandbox_command(["/bin/true"], workdir=Path(folder), cgroup=cgroup)
            result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    finally:
        cgroup.remove()
    if result.returncode != 0:
        why = (result.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bubblewrap cannot make a sandbox here: {why}"
    return None


def unconfined() -> bool:
    """Whether the instructor asked to grade without a sandbox (:data:`UNSANDBOXED_ENV`)."""
    return os.environ.get(UNSANDBOXED_ENV) == "1"


def grading_refusal() -> str | None:
    """Why learner code must not run here (no sandbox, no override); ``None``: it may."""
    if unconfined():
        return None
    problem = _cached_problem()
    if problem is None:
        return None
    return (
        f"Refusing to run learner code without a sandbox: {problem}. Grade on a Linux "
        "machine with bubblewrap (the course's CI class has it), or, for submissions you "
        f"trust, set {UNSANDBOXED_ENV}=1 to run them unconfined."
    )


@functools.cache
def _cached_problem() -> str | None:
    return sandbox_problem()


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start in the sandbox, reached over IPC sockets.

    The sandbox has a network of its own, so the grader and the kernel talk through
    ZeroMQ's IPC transport: sockets in a private folder (mode 0700) that both see. A
    restarted kernel gets the same sandbox (the restart re-formats the command).
    Use it as ``kernel_manager_class`` of an nbclient/nbgrader executor. Where no
    sandbox can be made (:func:`sandbox_problem`) it refuses to start a kernel, unless
    :data:`UNSANDBOXED_ENV` is set: then the kernel runs unconfined, as usual.
    """

    limits = Limits()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._ipc_folder = Path(tempfile.mkdtemp(prefix="rnn-kernel-"))  # mode 0700
        self._answers_folder = Path(tempfile.mkdtemp(prefix="rnn-answers-"))  # not writable inside
        # Kept across shutdowns (a restart after a shutdown writes its connection file
        # there again), removed with the manager.
        weakref.finalize(self, shutil.rmtree, self._ipc_folder, True)
        weakref.finalize(self, shutil.rmtree, self._answers_folder, True)
        self._cgroup: ControlGroup | None = None
        self.transport = "ipc"
        self.ip = str(self._ipc_folder / "kernel")
        self.connection_file = str(self._ipc_folder / "kernel.json")

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        argv = super().format_kernel_cmd(extra_arguments)
        refused = grading_refusal()
        if refused is not None:
            raise RuntimeError(refused)
        if unconfined():
            return argv
        argv[0] = shutil.which(argv[0]) or argv[0]
        workdir = Path(self._launch_args.get("cwd") or os.getcwd()).resolve()
        if self.kernel_spec is not None:
            self.kernel_spec.interrupt_mode = "message"
        if self._cgroup is None:
            self._cgroup = ControlGroup.create(self.limits, self._ipc_folder.name)
        # a submission's folder is named after its lesson: hide that lesson's answers
        overlays, bytecode = answer_overlays(workdir.name, self._answers_folder)
        return sandbox_command(
            argv,
            workdir=workdir,
            writable=[self._ipc_folder],
            limits=self.limits,
            cgroup=self._cgroup,
            overlays=overlays,
            hidden=bytecode,
        )

    def processes_left(self) -> int | None:
        """How many more processes and threads the sandbox allows (None: unconfined)."""
        used = None if self._cgroup is None else self._cgroup.processes()
        return None if used is None else self.limits.processes - used

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._cgroup is None:
            return
        if restart:  # what the old kernel left behind (a fork bomb's sleepers) goes too
            self._cgroup.kill_all()
        else:
            self._cgroup.remove()
            self._cgroup = None

    cleanup_resources = _async_cleanup_resources
