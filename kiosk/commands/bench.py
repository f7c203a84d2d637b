"""`kiosk bench …`: benchmarks that print figures (never tests)."""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from kiosk.cli import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("bench", help="mesurer les performances",
                                   description="Mesures de performance, affichées en chiffres.")
    sub = parser.add_subparsers(dest="bench", metavar="MESURE")
    startup = sub.add_parser("startup", help="temps de démarrage et mémoire, comparés à une fenêtre Kivy nue")
    startup.add_argument("--runs", type=int, default=5, help="nombre de démarrages de chaque sorte (5)")
    startup.set_defaults(func=bench_startup)
    taps = sub.add_parser("taps", help="toucher -> écran suivant dessiné, sur les parcours d'une visite")
    taps.add_argument("--runs", type=int, default=3, help="nombre de visites mesurées (3)")
    taps.add_argument("--journeys", default=None, metavar="LISTE",
                      help="parcours mesurés, séparés par des virgules (tous : sign_in,documents,messages,"
                           "agenda,access,access_code,end)")
    taps.add_argument("--profile", metavar="FICHIER", default=None,
                      help="écrire le profil cProfile des touchers mesurés dans ce fichier")
    taps.set_defaults(func=bench_taps)
    speech = sub.add_parser("speech", help="voix : délai du premier son et de l'arrêt")
    speech.add_argument("--runs", type=int, default=10, help="nombre de mesures (10)")
    speech.add_argument("--device", default=None, help="sortie son ALSA (par défaut : celle du système)")
    speech.set_defaults(func=bench_speech)
    fhir = sub.add_parser("fhir", help="serveur FHIR : temps de la première page de documents")
    fhir.add_argument("url", help="adresse du serveur FHIR, déjà chargé avec kiosk admin seed-fhir")
    fhir.add_argument("--runs", type=int, default=20, help="nombre de mesures (20)")
    fhir.add_argument("--config", metavar="FICHIER", help="fichier de réglages (jeton, certificats)")
    fhir.set_defaults(func=bench_fhir)
    docs = sub.add_parser("documents", help="démonstration : première page et page suivante, patient à 1 000 documents")
    docs.add_argument("--runs", type=int, default=50, help="nombre de mesures (50)")
    docs.set_defaults(func=bench_documents)
    sessions = sub.add_parser("sessions", help="démonstration : mémoire gardée après N sessions complètes")
    sessions.add_argument("count", type=int, nargs="?", default=500, metavar="N",
                          help="nombre de sessions mesurées (500)")
    sessions.add_argument("--warm-up", type=int, default=20, help="sessions avant la mesure (20)")
    sessions.add_argument("--top", type=int, default=0, metavar="K",
                          help="afficher les K lignes du code qui gardent le plus de mémoire")
    sessions.set_defaults(func=bench_sessions)
    stall = sub.add_parser("stall", help="serveur FHIR bloqué : images dessinées pendant l'attente (écran nécessaire)")
    stall.add_argument("--seconds", type=float, default=5.0,
                       help="durée pendant laquelle le serveur ne répond pas (5)")
    stall.set_defaults(func=bench_stall)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def bench_fhir(args: argparse.Namespace) -> int:
    from kiosk.services.backend.fhir.bench import run
    from kiosk.services.backend.fhir.client import ClientError
    from kiosk.core.errors import HealthSpaceError
    from kiosk.settings import load

    settings = load(args.config)
    try:
        run(args.url, token=settings.backend_token, ca_bundle=settings.backend_ca_bundle, runs=args.runs)
    except (HealthSpaceError, ClientError, OSError):
        raise UserError("Le serveur FHIR ne répond pas ou n'a pas les patients de démonstration : "
                        "lancez d'abord kiosk admin seed-fhir.") from None
    return 0


def bench_documents(args: argparse.Namespace) -> int:
    """The documents journey on the demo's 1,000-document patient, through the core flow."""
    from kiosk.app import build_services, real
    from kiosk.core.flows.base import FlowContext
    from kiosk.core.flows.documents import DocumentsFlow, DocumentsStep
    from kiosk.services.backend.demo import DEMO_ROLES, load_demo_data
    from kiosk.settings import Settings

    record = load_demo_data().by_id(DEMO_ROLES["large"])
    first, turn = [], []
    for _ in range(max(1, args.runs)):
        services = build_services(Settings(), with_voice=False)
        space = real(services.backend)
        challenge = space.start_sign_in(record.patient.ins)
        services.session.data["patient_session"] = space.finish_sign_in(challenge.handle, record.sign_in_code)
        start = time.perf_counter()
        flow = DocumentsFlow(FlowContext(space, services.session)).start()
        flow.choose_category(None)
        first.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        flow.next_list_page()
        turn.append((time.perf_counter() - start) * 1000)
        if flow.step is not DocumentsStep.LIST:
            raise UserError("La liste des documents ne s'est pas affichée.")
        services.close()
    print(f"documents of the patient   : {record_count(record)}")
    print(f"first page of the list     : median {statistics.median(first):6.2f} ms   max {max(first):6.2f} ms   (aim <= 100 ms)")
    print(f"next page                  : median {statistics.median(turn):6.2f} ms   max {max(turn):6.2f} ms   (aim <= 100 ms)")
    return 0


#: The demo patients a bench session signs in, in turn (documents, messages, codes).
SESSION_ROLES = ("rich", "privacy", "child")


def demo_session(services, record) -> None:
    """One person's visit through the real flows, as the screens drive them, without Kivy.

    Sign in on the pad, open the documents and one of them, read a message, make a
    temporary code and stop it, then end the session and get ready for the next person.
    Raises RuntimeError when a step does not happen (so a bench never measures nothing).
    """
    from kiosk.app import real
    from kiosk.core.flows.access_code import AccessCodeFlow, AccessCodeStep
    from kiosk.core.flows.base import FlowContext, audit_to_journal
    from kiosk.core.flows.documents import DocumentsFlow, DocumentsStep
    from kiosk.core.flows.messages import MessagesFlow, MessagesStep
    from kiosk.core.flows.sign_in import SignInFlow, SignInStep
    from kiosk.core.session import EndReason

    session = services.session
    journal = getattr(real(services.store), "journal", None) if services.store is not None else None
    context = FlowContext(real(services.backend), session,
                          audit=audit_to_journal(journal) if journal is not None else None)

    def check(done: bool, what: str) -> None:
        if not done:
            raise RuntimeError(f"bench session: {what} did not happen")

    session.start()
    sign_in = session.data["bench.sign_in"] = SignInFlow(context).start()
    for char in record.patient.ins:
        sign_in.append_digit(char)
    check(sign_in.submit_identifier(), "identifier")
    for char in record.sign_in_code:
        sign_in.append_digit(char)
    check(sign_in.submit_code() and sign_in.step is SignInStep.SIGNED_IN, "sign-in")

    documents = session.data["bench.documents"] = DocumentsFlow(context).start()
    check(documents.choose_category(None), "document list")
    if documents.documents:
        check(documents.open_document(documents.documents[0].id), "document")
        check(documents.step is DocumentsStep.VIEWER, "viewer")
        documents.next_page()
        documents.back()
    documents.back()
    documents.finish()

    messages = session.data["bench.messages"] = MessagesFlow(context).start()
    if messages.threads:
        check(messages.open_thread(messages.threads[0].id) and messages.step is MessagesStep.THREAD, "message")
        messages.back()
    messages.finish()

    codes = session.data["bench.codes"] = AccessCodeFlow(context).start()
    check(codes.choose_duration(0) and codes.step is AccessCodeStep.CODE, "temporary code")
    check(codes.ask_revoke() and codes.confirm() and codes.step is AccessCodeStep.REVOKED, "code stopped")
    codes.finish()

    session.end(EndReason.USER)
    session.reset_for_next_person()


def _rss_mib() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return float("nan")


def _wait_for_sign_outs(timeout: float = 5.0) -> None:
    import threading

    for thread in threading.enumerate():
        if thread.name == "kiosk-sign-out":
            thread.join(timeout)


def bench_sessions(args: argparse.Namespace) -> int:
    """Memory kept after N whole demo sessions: what a leak of the person's data would look like."""
    import gc
    import tracemalloc

    from kiosk.app import build_services, real
    from kiosk.core.clock import FakeClock
    from kiosk.services.backend.demo import DEMO_NOW, DEMO_ROLES, load_demo_data
    from kiosk.settings import Settings

    if args.count < 1 or args.warm_up < 0:
        raise UserError("Le nombre de sessions doit être au moins 1.")
    data = load_demo_data()
    records = [data.by_id(DEMO_ROLES[role]) for role in SESSION_ROLES]
    clock = FakeClock(DEMO_NOW)
    services = build_services(Settings(), clock, backend_clock=clock, with_voice=False)
    services.warm_up()
    step = services.settings.inactivity_timeout_s

    def visit(n: int) -> None:
        demo_session(services, records[n % len(records)])
        clock.advance(step)  # the next person comes a few minutes later

    try:
        for n in range(args.warm_up):
            visit(n)
        _wait_for_sign_outs()
        gc.collect()
        rss_before = _rss_mib()
        tracemalloc.start()
        start = time.perf_counter()
        for n in range(args.count):
            visit(n)
        elapsed = time.perf_counter() - start
        _wait_for_sign_outs()
        gc.collect()
        grown, _ = tracemalloc.get_traced_memory()
        snapshot = tracemalloc.take_snapshot() if args.top else None
        tracemalloc.stop()
        rss_after = _rss_mib()
        backend = real(services.backend)
    finally:
        services.close()
    print(f"sessions measured           : {args.count} (after {args.warm_up} to warm up)")
    print(f"time per session            : {elapsed / args.count * 1000:6.2f} ms")
    print(f"memory growth: {grown / 2**20:.2f} MB   (Python objects still alive, aim <= 5 MB over 500)")
    print(f"resident memory             : {rss_before:.1f} MiB -> {rss_after:.1f} MiB")
    print(f"backend after the last one  : {_held(backend)}")
    if snapshot is not None:
        for stat in snapshot.statistics("lineno")[: args.top]:
            print(f"  {stat.size / 1024:8.1f} KiB  {stat.count:6d} blocks  {stat.traceback[0]}")
    return 0


def _held(backend) -> str:
    sessions = len(getattr(backend, "_sessions", ()))
    challenges = len(getattr(backend, "_challenges", ()))
    return f"{sessions} session(s), {challenges} sign-in challenge(s) held"


def record_count(record) -> int:
    return len(getattr(record, "documents", ()))


def _test_tools():
    """The fault proxy and the sekmet-fhir server of the test suite (a source checkout with the test tools)."""
    import importlib
    from pathlib import Path

    import kiosk

    root = Path(kiosk.__file__).resolve().parents[1]
    if not (root / "tests" / "faultproxy.py").is_file():
        raise UserError("La mesure « stall » a besoin des sources du projet, avec leurs tests.")
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module("tests.faultproxy"), importlib.import_module("tests.services.fhir.servers")
    except ImportError:
        raise UserError("La mesure « stall » a besoin des outils de test : make setup-test.") from None


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def bench_stall(args: argparse.Namespace) -> int:
    """Frames drawn while a FHIR server does not answer: the real app, a real tap, real frames.

    A local sekmet-fhir, seeded with the demo patients, behind a proxy that holds its answers;
    the person signs in on the pad, then taps "Mes documents", whose first request stalls for
    ``--seconds``. Every frame is drawn and flipped for real (Pilot.draw) until the documents
    are on screen; the frames drawn while the server held its answer are timed.
    """
    import contextlib
    import io
    from pathlib import Path

    if args.seconds <= 0:
        raise UserError("La durée du blocage doit être plus grande que 0.")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise UserError("La mesure « stall » a besoin d'un écran : lancez-la sous xvfb-run.")
    faultproxy, servers = _test_tools()
    with contextlib.ExitStack() as stack:
        if "KIVY_HOME" not in os.environ:  # nothing of Kivy's is written to the home directory
            kivy_home = stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-bench-kivy-"))
            os.environ["KIVY_HOME"] = kivy_home
            os.environ.setdefault("KIVY_NO_CONFIG", "1")
            stack.callback(os.environ.pop, "KIVY_HOME", None)
        directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kiosk-bench-stall-")))
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # the seeding's own lines
                server = stack.enter_context(servers.seeded_sekmet(directory))
        except (RuntimeError, OSError, AssertionError):
            raise UserError("Le serveur FHIR de test (sekmet-fhir) n'a pas démarré : make setup-test.") from None
        proxy = stack.enter_context(faultproxy.FaultProxy(server.port))
        figures = _stall_run(proxy, proxy.url_for(server.url), servers.TOKEN, args.seconds)
    idle, waiting, overlay_s, shown_s = figures
    print(f"server stalled for          : {args.seconds:.1f} s (sekmet-fhir behind a stalling proxy on 127.0.0.1)")
    print(f"frames drawn while waiting  : {len(waiting)} (each one drawn and flipped for real)")
    if waiting:
        print(f"frame time while waiting    : median {statistics.median(waiting):6.1f} ms   "
              f"p95 {_percentile(waiting, 0.95):6.1f} ms   max {max(waiting):6.1f} ms")
    print(f"frame time before the tap   : median {statistics.median(idle):6.1f} ms   "
          f"p95 {_percentile(idle, 0.95):6.1f} ms   max {max(idle):6.1f} ms   ({len(idle)} frames)")
    print(f"« Un instant » on screen    : {overlay_s:.2f} s after the tap" if overlay_s is not None
          else "« Un instant » on screen    : never")
    print(f"documents on screen         : {shown_s:.2f} s after the tap" if shown_s is not None
          else "documents on screen         : never (the deadline came first)")
    return 0


def _stall_run(proxy, url: str, token: str, seconds: float):
    """Sign in on screen, stall the server, tap "Mes documents" and draw frames until they show."""
    from kiosk.app import build_services
    from kiosk.core.clock import SystemClock
    from kiosk.services.backend.demo import demo_sign_in_code
    from kiosk.services.backend.fhir.backend import FhirHealthSpace
    from kiosk.services.backend.fhir.client import FhirClient
    from kiosk.settings import Settings
    from kiosk.ui.app import start_in_process, stop_in_process
    from kiosk.ui.testing import Pilot

    ins = "244039999900168"  # the demo patient with documents, messages and professionals
    clock = SystemClock()
    services = build_services(Settings(fullscreen=False), clock, with_voice=False)
    services.backend = FhirHealthSpace(FhirClient(url, token=token, retries=0), clock)
    app = start_in_process(services)
    pilot = Pilot(app)
    try:
        pilot.tap("Commencer")
        pilot.tap("home.feature.sign_in")
        for digit in ins:
            pilot.tap(f"pad.{digit}")
        pilot.tap("sign_in.next")
        for digit in demo_sign_in_code(ins):
            pilot.tap(f"pad.{digit}")
        pilot.tap("sign_in.ok")
        if app.nav.current.name != "home":
            raise UserError("La connexion sur le pavé n'a pas abouti : la mesure n'a pas eu lieu.")
        idle = []
        for _ in range(10):
            start = time.perf_counter()
            pilot.draw()
            idle.append((time.perf_counter() - start) * 1000)
        proxy.stall(seconds, times=1)  # the load's first request; the ones after it are answered at once
        pilot.auto_settle = False
        tapped = time.perf_counter()
        pilot.tap("Mes documents", settle=False)
        waiting: list[float] = []
        overlay_s = shown_s = None
        limit = tapped + seconds + app.runner.deadline_s + 10
        end = tapped
        while app.runner.busy and end < limit:
            start = time.perf_counter()
            held = proxy.held_now
            pilot.draw()
            end = time.perf_counter()
            if held and proxy.held_now:  # the whole frame was drawn while the server held its answer
                waiting.append((end - start) * 1000)
            if overlay_s is None and app.wait is not None:
                overlay_s = end - tapped
        pilot.auto_settle = True
        pilot.settle()
        if app.nav.current.name == "documents" and not app.nav.current.flow.error_key:
            shown_s = end - tapped  # the frame that showed them
        return idle, waiting, overlay_s, shown_s
    finally:
        proxy.release()
        pilot.auto_settle = True
        if app.session.state.value != "idle":
            app.session.end()
        app.session.reset_for_next_person()
        services.close()
        stop_in_process(app)


def bench_speech(args: argparse.Namespace) -> int:
    from kiosk.services.speech import bench

    try:
        bench.run(runs=args.runs, device=args.device)
    except RuntimeError:
        raise UserError("La voix n'est pas disponible sur cette machine : installez espeak-ng.") from None
    _bench_tap_to_sample(args.runs)
    return 0


def _bench_tap_to_sample(runs: int) -> None:
    """The same delay seen from the person: a real tap on Écouter in the real app."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        print("tap Écouter -> first sample: needs a screen (run it under xvfb-run)")
        return
    proc = subprocess.run([sys.executable, "-m", "kiosk.ui.bench_listen", str(runs)],
                          capture_output=True, text=True, timeout=300)
    line = next((l for l in proc.stdout.splitlines() if l.startswith("TAP ")), None)
    if line is None:
        print(f"tap Écouter -> first sample: not measured (code {proc.returncode})")
        return
    median, worst = (float(v) for v in line.split()[1:3])
    print(f"tap Écouter -> first sample: median {median:6.1f} ms   max {worst:6.1f} ms   "
          f"(aim <= 250 ms, ALSA null device)")


def bench_taps(args: argparse.Namespace) -> int:
    """Real taps in the real app, each timed until the next frame is drawn (kiosk.ui.bench_taps)."""
    if args.runs < 1:
        raise UserError("Le nombre de visites doit être au moins 1.")
    env, xvfb = _display_env()
    command = [sys.executable, "-m", "kiosk.ui.bench_taps", "--runs", str(args.runs)]
    if args.journeys:
        command += ["--journeys", args.journeys]
    if args.profile:
        command += ["--profile", os.path.abspath(args.profile)]
    try:
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    finally:
        if xvfb:
            xvfb.terminate()
        shutil.rmtree(env["KIVY_HOME"], ignore_errors=True)
    if proc.returncode != 0 or "all taps" not in proc.stdout:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"code {proc.returncode}"]
        raise UserError(f"La mesure des touchers n'a pas abouti ({tail[0]}).")
    print(f"display                  : {'Xvfb' if xvfb else env.get('DISPLAY') or env.get('WAYLAND_DISPLAY')}, "
          f"load average before: {_load()}")
    print(proc.stdout, end="")
    return 0


def _probe(kind: str, env: dict[str, str]) -> tuple[float, int, float]:
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk.ui.bench_probe", kind],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("FRAME "):
            elapsed = time.perf_counter() - start
            fields = line.split()
            peak_kib, cpu_ms = int(fields[1]), float(fields[2]) if len(fields) > 2 else float("nan")
            proc.wait(timeout=60)
            return elapsed, peak_kib, cpu_ms
    proc.wait(timeout=60)
    raise UserError(f"La mesure « {kind} » n'a pas pu afficher de fenêtre (code {proc.returncode}).")


def _display_env() -> tuple[dict[str, str], subprocess.Popen | None]:
    env = dict(os.environ)
    env["KIVY_HOME"] = tempfile.mkdtemp(prefix="kiosk-bench-kivy-")
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return env, None
    if not shutil.which("Xvfb"):
        raise UserError("Aucun écran n'est disponible : lancez la mesure avec un écran ou installez Xvfb.")
    display = ":97"
    xvfb = subprocess.Popen(["Xvfb", display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    env["DISPLAY"] = display
    return env, xvfb


def bench_startup(args: argparse.Namespace) -> int:
    if args.runs < 1:
        raise UserError("Le nombre de démarrages doit être au moins 1.")
    env, xvfb = _display_env()
    try:
        _probe("bare", env)  # warm the file cache for both
        _probe("kiosk", env)
        results: dict[str, list[tuple[float, int, float]]] = {"bare": [], "kiosk": []}
        for _ in range(args.runs):
            for kind in ("bare", "kiosk"):
                results[kind].append(_probe(kind, env))
    finally:
        if xvfb:
            xvfb.terminate()
        shutil.rmtree(env["KIVY_HOME"], ignore_errors=True)
    figures = {}
    for kind, runs in results.items():
        figures[kind] = (statistics.median(t for t, _, _ in runs), max(m for _, m, _ in runs) / 1024,
                         statistics.median(c for _, _, c in runs))
    (bare_t, bare_m, bare_c), (kiosk_t, kiosk_m, kiosk_c) = figures["bare"], figures["kiosk"]
    print(f"runs per kind            : {args.runs}   (load average before: {_load()})")
    print(f"bare Kivy window, 6 btns : first frame {bare_t * 1000:7.0f} ms   processor {bare_c:6.0f} ms   "
          f"peak memory {bare_m:6.1f} MiB")
    print(f"kiosk Welcome screen     : first frame {kiosk_t * 1000:7.0f} ms   processor {kiosk_c:6.0f} ms   "
          f"peak memory {kiosk_m:6.1f} MiB")
    print(f"ratio kiosk / bare       : time {kiosk_t / bare_t:.2f}x   processor {kiosk_c / bare_c:.2f}x   "
          f"memory {kiosk_m / bare_m:.2f}x   (aim <= 1.30x)")
    return 0


def _load() -> str:
    """The machine's load: on a busy machine the times grow, the processor times much less."""
    try:
        return " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"
