"""The `voicekit` command: parse arguments, call the public API, print. Nothing else lives here."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import soundfile

from voicekit import __version__, errors
from voicekit.engines.choose import voices
from voicekit.engines.groq import GroqClient
from voicekit.jobs.speak import speak

EPILOG = """\
engines: `auto` (the default) uses Groq when GROQ_API_KEY is set and the offline engines otherwise
(Piper for speech, faster-whisper for transcription; `pip install "voicekit[local]"`).

examples:
  voicekit speak "Hello from voicekit." -o hello.wav
  voicekit voices
  GROQ_API_KEY=gsk_... voicekit speak "[cheerful] Good morning!" --voice autumn -o morning.wav
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="voicekit", description="Long-form speech: narrate documents and transcribe recordings.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"voicekit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log retries and pacing to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _add_speak(commands)
    _add_voices(commands)
    _add_models(commands)
    return parser


def _add_speak(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    speak_parser = commands.add_parser("speak", help="speak a short text (one chunk) into an audio file",
                                       description="Speak a short text into an audio file (WAV, FLAC or OGG).")
    speak_parser.add_argument("text", help="the text; Orpheus takes at most 200 characters")
    speak_parser.add_argument("-o", "--output", type=Path, default=Path("speech.wav"),
                              help="where to write the audio (default: speech.wav; format from the extension)")
    _add_engine_options(speak_parser)
    speak_parser.set_defaults(run=_run_speak)


def _add_voices(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    voices_parser = commands.add_parser("voices", help="list the voices of every speech model")
    voices_parser.add_argument("--engine", choices=["auto", "groq", "local"], default="auto",
                               help="only this engine's voices (auto lists all)")
    voices_parser.set_defaults(run=_run_voices)


def _add_models(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models_parser = commands.add_parser("models", help="list the Groq models your key can use (needs GROQ_API_KEY)")
    models_parser.set_defaults(run=_run_models)


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=["auto", "groq", "local"], default="auto",
                        help="groq, local, or auto: groq when GROQ_API_KEY is set (default)")
    parser.add_argument("--model", help="the Groq model (default: canopylabs/orpheus-v1-english)")
    parser.add_argument("--voice", help="the voice (see `voicekit voices`)")


def _run_speak(args: argparse.Namespace) -> int:
    audio = speak(args.text, engine=args.engine, voice=args.voice, model=args.model)
    _check_writable(args.output)
    soundfile.write(args.output, audio.samples, audio.sample_rate)
    print(f"wrote {args.output} ({audio.duration:.2f} s at {audio.sample_rate} Hz)")
    return 0


def _run_voices(args: argparse.Namespace) -> int:
    for model, names in voices(args.engine).items():
        print(f"{model}: {' '.join(names)}")
    return 0


def _run_models(args: argparse.Namespace) -> int:
    with GroqClient() as client:
        for model in client.models():
            print(model.id)
    return 0


def _check_writable(path: Path) -> None:
    if not path.parent.exists() or path.is_dir():
        raise errors.InputError(f"cannot write {path}: its folder does not exist or it is a folder")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 done, 1 failed, 2 bad usage, 130 interrupted)."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except errors.VoicekitError as exc:
        print(f"voicekit: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("voicekit: interrupted", file=sys.stderr)
        return 130
