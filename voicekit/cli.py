"""The `voicekit` command: parse arguments, call the public API, print. Nothing else lives here."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from voicekit import errors, outputs
from voicekit._version import __version__
from voicekit.audio.model import AUDIO_FORMATS
from voicekit.cli_batch import add_batch_command, add_batch_options, run_batch_submit
from voicekit.cli_book import BOOK_ONLY_FORMATS, add_book_options, refuse_book_options, run_book
from voicekit.engines.catalog import ORPHEUS_MAX_CHARS
from voicekit.engines.groq import GroqClient
from voicekit.engines.registry import ENGINE_NAMES, voices
from voicekit.jobs.narrate import NarrateOptions, narrate, plan_narration
from voicekit.jobs.narration import Plan
from voicekit.jobs.options import check_audio_output, check_output
from voicekit.jobs.speak import speak
from voicekit.jobs.transcribe import TranscribeOptions, transcribe
from voicekit.text.epub import is_epub
from voicekit.transcript.formats import FORMATS as TRANSCRIPT_FORMATS
from voicekit.transcript.formats import render

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
  voicekit speak "Hello from voicekit." -o hello.wav
  voicekit voices
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
    _add_transcribe(commands)
    _add_speak(commands)
    _add_voices(commands)
    _add_models(commands)
    add_batch_command(commands)
    return parser


def _add_narrate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "narrate", help="read a whole document (text, Markdown, HTML) aloud into one audio file",
        description="Read a document aloud into one audio file. Numbers become words, vocal directions such as "
                    "[cheerful] are kept for Orpheus, and the text is sent in chunks no longer than the model takes "
                    f"(Orpheus: {ORPHEUS_MAX_CHARS} characters). "
                    "Finished chunks are cached: if a run stops, run it again and only the rest is synthesized.")
    parser.add_argument("input", type=Path, help="the document: .txt, .md, .html, .epub (or - for standard input)")
    parser.add_argument("-o", "--output", type=Path, help="the audio file (default: INPUT with .wav)")
    parser.add_argument("--format", choices=(*AUDIO_FORMATS, *BOOK_ONLY_FORMATS),
                        help=f"audio format (default: from -o; {', '.join(BOOK_ONLY_FORMATS)} for an EPUB book)")
    parser.add_argument("--captions", type=Path, help="also write SRT or VTT captions (by extension) of what is "
                                                      "spoken when")
    _add_engine_options(parser)
    parser.add_argument("--concurrency", type=int, help="chunks in flight at once (default 4)")
    parser.add_argument("--plan", action="store_true", help="print the chunks, requests, cost and time; send nothing")
    parser.add_argument("--json", action="store_true", help="print the plan or the result as JSON")
    parser.add_argument("--no-cache", action="store_true", help="neither use nor keep finished chunks")
    add_book_options(parser)
    parser.set_defaults(run=_run_narrate)


def _add_transcribe(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "transcribe", help="transcribe a recording of any length into text or subtitles",
        description="Transcribe a recording of any length and format. It is cut into windows of up to 30 s at "
                    "quiet points (long silences are not sent), transcribed, and merged with exact timestamps.")
    parser.add_argument("input", type=Path, nargs="+",
                        help="the recording (wav, flac, mp3, m4a, ogg, opus, webm, mp4, ...); several with --batch")
    parser.add_argument("-o", "--output", type=Path, help="where to write (default: the text on standard output)")
    parser.add_argument("--format", choices=TRANSCRIPT_FORMATS,
                        help="output format (default: from -o's extension, else txt)")
    _add_engine_choice(parser)
    parser.add_argument("--model", help="the engine's model (Groq: whisper-large-v3-turbo, or whisper-large-v3; "
                                        "local: tiny.en)")
    parser.add_argument("--language", help="the spoken language as an ISO code, e.g. en (default: detected)")
    parser.add_argument("--translate", action="store_true", help="translate the speech into English")
    parser.add_argument("--prompt", help="spellings and names to guide the model (at most 896 characters)")
    parser.add_argument("--channel", type=int, help="transcribe one channel (0-based) instead of the mix")
    parser.add_argument("--concurrency", type=int, help="windows in flight at once (default 4)")
    parser.add_argument("--no-cache", action="store_true", help="neither use nor keep finished windows")
    add_batch_options(parser)
    parser.add_argument("--speakers", metavar="WHO",
                        help="label who said what: 'channels' (one speaker per channel), or 'auto', a number or a "
                             "range such as 2-4 (voices told apart offline: pip install \"voicekit[speakers]\")")
    parser.add_argument("--speaker-names", metavar="NAMES",
                        help="comma-separated names, one per channel or per voice in order of appearance")
    parser.set_defaults(run=_run_transcribe)


def _add_speak(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    speak_parser = commands.add_parser("speak", help="speak a short text (one chunk) into an audio file",
                                       description="Speak a short text into an audio file (WAV, FLAC or OGG).")
    speak_parser.add_argument("text", help=f"the text; Orpheus takes at most {ORPHEUS_MAX_CHARS} characters")
    speak_parser.add_argument("-o", "--output", type=Path, default=Path("speech.wav"),
                              help="where to write the audio (default: speech.wav; format from the extension)")
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
    source: str | Path = sys.stdin.read() if str(args.input) == "-" else args.input
    given = _given(engine=args.engine, model=args.model, voice=args.voice, format=args.format,
                   concurrency=args.concurrency, cache=not args.no_cache, progress=sys.stderr.isatty())
    if is_epub(source):
        return run_book(args, Path(source), given)
    refuse_book_options(args, source)
    options = NarrateOptions(**given)
    if args.plan:
        plan = plan_narration(source, options=options)
        print(plan.model_dump_json(indent=2) if args.json else _plan_text(plan))
        return 0
    narration = narrate(source, args.output, captions=args.captions, options=options)
    if args.json:
        print(narration.model_dump_json(indent=2))
    else:
        print(f"wrote {narration.path} ({narration.duration:.1f} s, {narration.chunks} chunks: "
              f"{narration.requests} synthesized, {narration.cached} from the cache, ${narration.cost_usd:.4f})")
    return 0


def _plan_text(plan: Plan) -> str:
    lines = [f"{i:>4}  {c.chars:>3}  {c.text}" for i, c in enumerate(plan.chunks)]
    lines += ["", f"engine {plan.engine}, model {plan.model}, voice {plan.voice}",
              f"{plan.requests} requests, {plan.characters} characters, about ${plan.cost_usd:.4f}, "
              f"about {_duration_words(plan.estimated_seconds)}"]
    lines += [f"note: {warning}" for warning in plan.warnings]
    return "\n".join(lines)


def _duration_words(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds / 3600:.1f} hours"


def _run_transcribe(args: argparse.Namespace) -> int:
    if args.batch:
        return run_batch_submit(args)
    if len(args.input) > 1:
        raise errors.InputError("several recordings go together only with --batch; transcribe one at a time")
    args.input = args.input[0]
    options = TranscribeOptions(**_given(engine=args.engine, model=args.model, language=args.language,
                                         translate=args.translate, prompt=args.prompt, channel=args.channel,
                                         concurrency=args.concurrency, cache=not args.no_cache,
                                         progress=sys.stderr.isatty(), speakers=args.speakers,
                                         speaker_names=_names(args.speaker_names)))
    fmt = (check_output(args.output, TRANSCRIPT_FORMATS, args.format, what="transcript") if args.output
           else args.format or "txt")
    with outputs.reserve(args.output, inputs=[args.input]):
        transcript = transcribe(args.input, options=options)
        if args.output is None:
            print(render(transcript, fmt), end="" if fmt != "txt" else "\n")
        else:
            transcript.save(args.output, fmt)
            print(f"wrote {args.output} ({len(transcript.segments)} segments, {transcript.duration or 0:.1f} s)",
                  file=sys.stderr)
    return 0


def _names(text: str | None) -> tuple[str, ...] | None:
    """`Alice, Bob` -> ("Alice", "Bob")."""
    return None if text is None else tuple(name.strip() for name in text.split(","))


def _given(**options: Any) -> dict[str, Any]:
    """The options the user gave (None means: keep the default)."""
    return {name: value for name, value in options.items() if value is not None}


def _run_speak(args: argparse.Namespace) -> int:
    check_audio_output(args.output)
    with outputs.reserve(args.output):
        audio = speak(args.text, engine=args.engine, voice=args.voice, model=args.model)
        audio.save(args.output)
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 done, 1 failed, 2 bad usage, 130 interrupted). A
    `VoicekitError` (or a file the system refuses) is one line on stderr, never a traceback."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except (errors.VoicekitError, OSError) as exc:
        print(f"voicekit: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("voicekit: interrupted", file=sys.stderr)
        return 130


def _one_line(exc: BaseException) -> str:
    """The error's message on one line (a file error as the system words it, with the file's name)."""
    text = str(exc) if not isinstance(exc, OSError) or exc.strerror is None else (
        f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror)
    return " ".join(text.split()) or type(exc).__name__
