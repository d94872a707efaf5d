"""The `voicekit` command: parse arguments, call the public API, print. Nothing else lives here."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from voicekit import errors, outputs
from voicekit._version import __version__
from voicekit.audio.model import AUDIO_FORMATS
from voicekit.cli_batch import add_batch_command
from voicekit.cli_book import BOOK_ONLY_FORMATS, add_book_options, refuse_book_options, run_book
from voicekit.cli_io import audio_to_stdout, count, is_dash, plan_footer, status, stdout_format
from voicekit.cli_transcribe import add_transcribe_command
from voicekit.engines.catalog import ORPHEUS_MAX_CHARS
from voicekit.engines.groq import GroqClient
from voicekit.engines.registry import ENGINE_NAMES, voices
from voicekit.jobs.narrate import NarrateOptions, narrate, plan_narration
from voicekit.jobs.narration import Narration, Plan
from voicekit.jobs.options import check_audio_output
from voicekit.jobs.speak import speak
from voicekit.text.epub import is_epub

EPILOG = """\
engines: `auto` (the default) uses Groq when GROQ_API_KEY is set and the offline engines otherwise
(Piper for speech, faster-whisper for transcription; `pip install "voicekit[local]"`). `--engine openai` uses
any OpenAI-compatible API: OPENAI_API_KEY, and OPENAI_BASE_URL for a server other than OpenAI's.

examples:
  voicekit narrate chapter.md -o chapter.wav          read a whole document aloud into one file
  voicekit narrate book.txt --plan                    what it would send and cost, without sending anything
  voicekit narrate book.epub -o book.m4b              an audiobook with the book's chapters, title and cover
  voicekit transcribe meeting.m4a -o meeting.srt      subtitles for a recording of any length
  voicekit transcribe talk.mp3                        the text, on standard output
  voicekit transcribe a.m4a talks/ --output-dir out --format srt,txt
                                                      many recordings with one engine
  cat notes.md | voicekit narrate - -o - --format mp3 > notes.mp3
                                                      standard input and output: - as the file name
  voicekit speak "Hello from voicekit." -o hello.wav
  voicekit voices

standard output holds only data (a transcript, audio with -o -, a plan); status lines ("wrote ...") and
errors go to standard error.

exit status: 0 done; 1 failed (the message says why; with many recordings: at least one failed); 2 the
command line is wrong (an unknown option or a value it does not take); 130 interrupted (Ctrl-C): finished
chunks and windows are cached, so the same command run again resumes where it stopped.
"""

NARRATE_EPILOG = """examples:
  voicekit narrate chapter.md                         chapter.wav beside the document
  voicekit narrate chapter.md -o chapter.mp3 --captions chapter.srt
  voicekit narrate book.txt --plan                    requests, characters, cost and time; sends nothing
  voicekit narrate book.txt --plan --engine groq      Groq's price, without an API key
  voicekit narrate book.epub -o book.m4b              an audiobook with chapters, title and cover
  pandoc -t plain notes.docx | voicekit narrate - -o notes.wav
                                                      the document from standard input (-o is then needed)
  voicekit narrate notes.md -o - --format ogg | mpv - audio to standard output (--format is then needed)
"""

SPEAK_EPILOG = """examples:
  voicekit speak "Hello from voicekit."               speech.wav in this folder
  voicekit speak "[cheerful] Welcome back!" -o hi.mp3 --engine groq --voice tara
  voicekit speak "Testing." -o - --format wav | aplay audio to standard output (--format is then needed)
"""


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error said on one line (status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="voicekit", description="Long-form speech: narrate documents and transcribe recordings.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"voicekit {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log retries and pacing to stderr")
    commands: argparse._SubParsersAction[argparse.ArgumentParser] = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=_Parser)
    _add_narrate(commands)
    add_transcribe_command(commands, _add_engine_choice, _positive)
    _add_speak(commands)
    _add_voices(commands)
    _add_models(commands)
    add_batch_command(commands)
    return parser


def _add_narrate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "narrate", help="read a whole document (text, Markdown, HTML, EPUB) aloud into one audio file",
        epilog=NARRATE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read a document aloud into one audio file. Numbers become words, vocal directions such as "
                    "[cheerful] are kept for Orpheus, and the text is sent in chunks no longer than the model takes "
                    f"(Orpheus: {ORPHEUS_MAX_CHARS} characters). "
                    "Finished chunks are cached: if a run stops, run it again and only the rest is synthesized.")
    parser.add_argument("input", type=Path, help="the document: .txt, .md, .html, .epub (or - for standard input)")
    parser.add_argument("-o", "--output", help="the audio file, or - for standard output (default: INPUT with "
                                               ".wav; with - as INPUT, -o is required)")
    parser.add_argument("--format", choices=(*AUDIO_FORMATS, *BOOK_ONLY_FORMATS),
                        help=f"audio format (default: from -o; {', '.join(BOOK_ONLY_FORMATS)} for an EPUB book)")
    parser.add_argument("--captions", type=Path, help="also write SRT or VTT captions (by extension) of what is "
                                                      "spoken when")
    _add_engine_options(parser)
    parser.add_argument("--concurrency", type=_positive, help="chunks in flight at once (default 4)")
    parser.add_argument("--plan", action="store_true", help="print the chunks, requests, cost and time; send nothing")
    parser.add_argument("--json", action="store_true", help="print the plan or the result as JSON")
    parser.add_argument("--no-cache", action="store_true", help="neither use nor keep finished chunks")
    add_book_options(parser)
    parser.set_defaults(run=_run_narrate)


def _add_speak(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    speak_parser = commands.add_parser("speak", help="speak a short text (one chunk) into an audio file",
                                       description="Speak a short text into an audio file (WAV, FLAC, OGG or MP3).",
                                       epilog=SPEAK_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    speak_parser.add_argument("text", help=f"the text; Orpheus takes at most {ORPHEUS_MAX_CHARS} characters")
    speak_parser.add_argument("-o", "--output",
                              help="the audio file, or - for standard output (default: speech.wav, or speech.FORMAT "
                                   "with --format)")
    speak_parser.add_argument("--format", choices=AUDIO_FORMATS,
                              help="audio format (default: from -o's extension; required with -o -)")
    _add_engine_options(speak_parser)
    speak_parser.set_defaults(run=_run_speak)


def _add_voices(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    voices_parser = commands.add_parser("voices", help="list the voices of every speech model")
    voices_parser.add_argument("--engine", choices=ENGINE_NAMES, default="auto",
                               help="only this engine's voices (auto lists all)")
    voices_parser.set_defaults(run=_run_voices)


def _add_models(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    models_parser = commands.add_parser("models", help="list the Groq models your key can use (needs GROQ_API_KEY)")
    models_parser.set_defaults(run=_run_models)


def _add_engine_choice(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--engine", choices=ENGINE_NAMES, default="auto",
                        help=f"{', '.join(ENGINE_NAMES[1:])}, or auto (default): groq when GROQ_API_KEY is set, "
                             "else local")


def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    _add_engine_choice(parser)
    parser.add_argument("--model", help="the engine's model (Groq: canopylabs/orpheus-v1-english by default)")
    parser.add_argument("--voice", help="the voice (see `voicekit voices`)")


def _run_narrate(args: argparse.Namespace) -> int:
    """Plan or narrate a document (a path, or `-` for standard input) into a file or, with `-o -`, standard
    output."""
    from_stdin, to_stdout = is_dash(args.input), is_dash(args.output)
    if from_stdin and args.output is None and not args.plan:
        raise errors.OptionError("with the document on standard input (-), say where the audio goes: -o FILE, or "
                                 "-o - --format wav for standard output")
    if to_stdout:
        stdout_format(args.format, "audio")
        if args.json:
            raise errors.OptionError("--json prints to standard output, which -o - already fills with the audio: "
                                     "leave one of them out")
    source: str | Path = sys.stdin.read() if from_stdin else Path(args.input)
    given = _given(engine=args.engine, model=args.model, voice=args.voice, format=args.format,
                   concurrency=args.concurrency, cache=not args.no_cache, progress=sys.stderr.isatty())
    if is_epub(source):
        if to_stdout:
            raise errors.OptionError("a book is written to a file (its chapters need one): give -o BOOK.m4b")
        return run_book(args, Path(source), given)
    refuse_book_options(args, source)
    options = NarrateOptions(**given)
    if args.plan:
        plan = plan_narration(source, options=options)
        print(plan.model_dump_json(indent=2) if args.json else _plan_text(plan))
        return 0
    if to_stdout:
        with audio_to_stdout(args.format) as target:
            narration = narrate(source, target, captions=args.captions, options=options)
    else:
        narration = narrate(source, Path(args.output) if args.output else None, captions=args.captions,
                            options=options)
    if args.json:
        print(narration.model_dump_json(indent=2))
    else:
        status(_narrated(narration, "standard output" if to_stdout else str(narration.path)))
    return 0


def _narrated(narration: Narration, where: str) -> str:
    """The status line of a narration: where it went, how long it is, and what was sent."""
    return (f"wrote {where} ({narration.duration:.1f} s, {count(narration.chunks, 'chunk')}: "
            f"{narration.requests} synthesized, {narration.cached} from the cache, ${narration.cost_usd:.4f})")



def _positive(text: str) -> int:
    """A whole number of at least 1 (argparse type: anything else is a usage error, status 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is too few: at least 1")
    return value


def _plan_text(plan: Plan) -> str:
    lines = [f"{i:>4}  {c.chars:>3}  {c.text}" for i, c in enumerate(plan.chunks)]
    lines += plan_footer(plan, f"about {_duration_words(plan.estimated_seconds)}")
    return "\n".join(lines)


def _duration_words(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _given(**options: Any) -> dict[str, Any]:
    """The options the user gave (None means: keep the default)."""
    return {name: value for name, value in options.items() if value is not None}


def _run_speak(args: argparse.Namespace) -> int:
    """Speak the text into a file or, with `-o -`, standard output; every check before the request."""
    if is_dash(args.output):
        with audio_to_stdout(stdout_format(args.format, "audio")) as target:
            audio = speak(args.text, engine=args.engine, voice=args.voice, model=args.model)
            audio.save(target, args.format)
        status(f"wrote standard output ({audio.duration:.2f} s at {audio.sample_rate} Hz)")
        return 0
    output = Path(args.output or f"speech.{args.format or 'wav'}")
    check_audio_output(output, args.format)
    with outputs.reserve(output):
        audio = speak(args.text, engine=args.engine, voice=args.voice, model=args.model)
        audio.save(output, args.format)
    status(f"wrote {output} ({audio.duration:.2f} s at {audio.sample_rate} Hz)")
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


USAGE, FAILED, INTERRUPTED = 2, 1, 130
"""The exit statuses besides 0 (see the epilog)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 done, 1 failed, 2 bad usage, 130 interrupted). A
    `VoicekitError` (or a file the system refuses) is one line on stderr, never a traceback; a reader that closes
    the pipe early (`| head`) ends the run quietly with status 0."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        code = run(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except errors.OptionError as exc:
        print(f"voicekit: error: {_one_line(exc)}", file=sys.stderr)
        return USAGE
    except (errors.VoicekitError, OSError) as exc:
        print(f"voicekit: error: {_one_line(exc)}", file=sys.stderr)
        return FAILED
    except KeyboardInterrupt:
        print("voicekit: interrupted; run the same command again to resume (finished work is cached)",
              file=sys.stderr)
        return INTERRUPTED


def _quiet_stdout() -> None:
    """After the reader closed the pipe: point standard output at /dev/null, so that Python's flush at exit
    finds nothing to complain about (as Python's documentation on SIGPIPE recommends)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _one_line(exc: BaseException) -> str:
    """The error's message on one line (a file error as the system words it, with the file's name)."""
    text = str(exc) if not isinstance(exc, OSError) or exc.strerror is None else (
        f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror)
    return " ".join(text.split()) or type(exc).__name__
