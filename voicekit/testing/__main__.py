"""`python -m voicekit.testing`: run the loopback Groq server in the foreground until Ctrl-C.

    python -m voicekit.testing --port 8000 --latency 0.3 --rpm 20 --ash 7200 --speech synthetic

Point any client at it: `GROQ_BASE_URL=http://127.0.0.1:8000 GROQ_API_KEY=<the printed key>`.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading

from voicekit.testing.options import DEFAULT_API_KEY, ServerOptions
from voicekit.testing.server import GroqServer


def build_parser() -> argparse.ArgumentParser:
    """The command line: one flag per `ServerOptions` field."""
    parser = argparse.ArgumentParser(prog="python -m voicekit.testing",
                                     description="A loopback server that speaks Groq's audio API.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key to accept")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--rpm", type=int, help="requests per window (default: no limit)")
    parser.add_argument("--rpm-window", type=float, default=60.0, help="seconds of the requests window")
    parser.add_argument("--ash", type=float, help="billed audio seconds per window (default: no limit)")
    parser.add_argument("--ash-window", type=float, default=3600.0, help="seconds of the audio window")
    parser.add_argument("--tpm", type=int, help="speech characters per window (default: no limit)")
    parser.add_argument("--tpm-window", type=float, default=60.0, help="seconds of the characters window")
    parser.add_argument("--max-upload-bytes", type=int, default=25 * 1024 * 1024, help="largest upload")
    parser.add_argument("--speech", choices=["auto", "piper", "synthetic"], default="auto",
                        help="speech backend (default auto: Piper when installed)")
    parser.add_argument("--transcription", choices=["auto", "whisper", "synthetic"], default="auto",
                        help="transcription backend (default auto: faster-whisper when installed)")
    parser.add_argument("--flavour", choices=["groq", "openai"], default="groq",
                        help="answer as Groq (/openai/v1) or as OpenAI (/v1) does (default groq)")
    parser.add_argument("--batch-seconds", type=float, default=0.0,
                        help="seconds a batch takes to complete (default 0)")
    parser.add_argument("--batch-failure-rate", type=float, default=0.0,
                        help="share of batch lines that fail (default 0)")
    parser.add_argument("--batch-capacity", type=int,
                        help="lines per batch run before it expires with partial results (default: all)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def options_from(args: argparse.Namespace) -> ServerOptions:
    """`ServerOptions` from parsed arguments."""
    return ServerOptions(
        flavour=args.flavour,
        api_key=args.api_key, latency=args.latency, host=args.host, port=args.port,
        requests_per_minute=args.rpm, requests_window=args.rpm_window,
        audio_seconds_per_hour=args.ash, audio_window=args.ash_window,
        tokens_per_minute=args.tpm, tokens_window=args.tpm_window, max_upload_bytes=args.max_upload_bytes,
        speech_backend=args.speech, transcription_backend=args.transcription,
        batch_completion_seconds=args.batch_seconds, batch_failure_rate=args.batch_failure_rate,
        batch_capacity_lines=args.batch_capacity,
    )


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted; prints the base URL and the key to use."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(message)s")
    server = GroqServer(options_from(args))
    with server:
        sys.stdout.write(_banner(server, args.flavour))
        sys.stdout.write(f"  speech: {server.speech_backend}, transcription: {server.transcription_backend}\n"
                         "Ctrl-C to stop.\n")
        sys.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            sys.stdout.write("stopped\n")
    return 0


def _banner(server: GroqServer, flavour: str) -> str:
    """Where the server listens and the settings that point a client at it."""
    if flavour == "openai":
        return (f"OpenAI-flavoured loopback server at {server.base_url} (endpoints under /v1)\n"
                f"  OPENAI_BASE_URL={server.base_url}\n  OPENAI_API_KEY={server.api_key}\n")
    return (f"Groq loopback server at {server.base_url} (endpoints under /openai/v1)\n"
            f"  GROQ_BASE_URL={server.base_url}\n  GROQ_API_KEY={server.api_key}\n")


if __name__ == "__main__":
    raise SystemExit(main())
