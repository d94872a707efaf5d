"""The `voicekit transcribe` command: parse, call `voicekit.jobs.transcribe` (one recording) or
`voicekit.jobs.transcribe_many` (several, or a folder), print. Data goes to standard output, status to stderr."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from voicekit import errors, outputs
from voicekit.cli_batch import add_batch_options, run_batch_submit
from voicekit.cli_io import count, is_dash, status
from voicekit.config import Settings
from voicekit.engines.catalog import transcription_pace
from voicekit.jobs.options import check_output
from voicekit.jobs.transcribe import TranscribeOptions, transcribe
from voicekit.jobs.transcribe_many import FileOutcome, expand_inputs, parse_formats, transcribe_many
from voicekit.jobs.transcribe_plan import estimate_transcription_seconds, plan_transcription
from voicekit.transcript.formats import FORMATS, render
from voicekit.transcript.model import Transcript

EPILOG = """\
examples:
  voicekit transcribe talk.mp3                          the text, on standard output
  voicekit transcribe meeting.m4a -o meeting.srt        subtitles (the format from the extension)
  curl -s URL | voicekit transcribe - --format vtt      a recording from standard input, any container
  voicekit transcribe a.m4a b.mp3 talks/ --output-dir out --format srt,txt
                                                        many files with one engine: out/a.srt, out/a.txt, ...
  voicekit transcribe talks/ --format all               every format, beside each recording
  voicekit transcribe talks/ --plan --engine groq       requests, billed seconds, cost, time; sends nothing
  voicekit transcribe talk.mp3 | head -3                a closed pipe ends quietly
"""


def add_transcribe_command(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                           add_engine_choice: Any, positive: Any) -> None:
    parser = commands.add_parser(
        "transcribe", help="transcribe recordings of any length into text or subtitles",
        description="Transcribe recordings of any length and format. Each is cut into windows of up to 30 s at "
                    "quiet points (long silences are not sent), transcribed, and merged with exact timestamps. "
                    "Finished windows are cached: if a run stops, run it again and only the rest is sent.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", nargs="+",
                        help="recordings (wav, flac, mp3, m4a, ogg, opus, webm, mp4, ...), folders of them, "
                             "or - for standard input")
    parser.add_argument("-o", "--output", help="the one recording's output file, or - for standard output "
                                               "(the default)")
    parser.add_argument("--output-dir", type=Path,
                        help="write <stem>.<format> for each recording here (default: beside each)")
    parser.add_argument("--format", help=f"{', '.join(FORMATS)}; several with commas or all for many files "
                                         "(default: from -o's extension, else txt)")
    add_engine_choice(parser)
    parser.add_argument("--model", help="the engine's model (Groq: whisper-large-v3-turbo, or whisper-large-v3; "
                                        "local: tiny.en)")
    parser.add_argument("--language", help="the spoken language as an ISO code, e.g. en (default: detected)")
    parser.add_argument("--translate", action="store_true", help="translate the speech into English")
    parser.add_argument("--prompt", help="spellings and names to guide the model (at most 896 characters)")
    parser.add_argument("--channel", type=int, help="transcribe one channel (0-based) instead of the mix")
    parser.add_argument("--concurrency", type=positive,
                        help="windows in flight at once (default 4); with several recordings, also how many of them "
                             "are transcribed at a time")
    parser.add_argument("--no-cache", action="store_true", help="neither use nor keep finished windows")
    parser.add_argument("--plan", action="store_true",
                        help="print the requests, audio and billed seconds, cost and time; send nothing")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    add_batch_options(parser)
    parser.add_argument("--speakers", metavar="WHO",
                        help="label who said what: 'channels' (one speaker per channel), or 'auto', a number or a "
                             "range such as 2-4 (voices told apart offline: pip install \"voicekit[speakers]\")")
    parser.add_argument("--speaker-names", metavar="NAMES",
                        help="comma-separated names, one per channel or per voice in order of appearance")
    parser.set_defaults(run=run_transcribe)


def run_transcribe(args: argparse.Namespace) -> int:
    """One recording to a file or standard output, or many recordings to their files (status 1 if any failed)."""
    if args.batch:
        args.input = expand_inputs(args.input)  # folders stand for the audio files in them here too
        return run_batch_submit(args)
    if args.plan:
        return _run_plan(args)
    formats = parse_formats(args.format, speakers=args.speakers is not None) if args.format else None
    many = len(args.input) > 1 or args.output_dir is not None or Path(args.input[0]).is_dir() or (
        formats is not None and len(formats) > 1)
    if many:
        return _run_many(args, formats or ["txt"])
    return _run_one(args, formats[0] if formats else None)


def _run_plan(args: argparse.Namespace) -> int:
    """`--plan`: each recording's plan (decoded and windowed here, nothing sent), then the totals."""
    options = _options(args)
    sources: list[Any] = [sys.stdin.buffer] if args.input == ["-"] else expand_inputs(args.input)
    plans = [plan_transcription(source, options=options) for source in sources]
    if args.json:
        print(json.dumps([plan.model_dump(mode="json") for plan in plans], indent=2))
        return 0
    print(" requests   audio s    sent s  billed s   cost $   time s  recording")
    for source, plan in zip(sources, plans, strict=True):
        name = "standard input" if source is sys.stdin.buffer else str(source)
        print(f"{plan.requests:>9} {plan.audio_seconds:>9.1f} {plan.sent_seconds:>9.1f} {plan.billed_seconds:>9.1f} "
              f"{plan.cost_usd:>8.4f} {plan.estimated_seconds:>8.0f}  {name}")
    first, requests = plans[0], sum(p.requests for p in plans)
    sent, billed = sum(p.sent_seconds for p in plans), sum(p.billed_seconds for p in plans)
    seconds = estimate_transcription_seconds(transcription_pace(first.engine), requests, sent, billed,
                                             concurrency=args.concurrency or Settings().concurrency)
    minimum = " (a short request is billed as its minimum)" if billed > sent + 0.5 else ""
    print(f"\nengine {first.engine}, model {first.model}: {count(requests, 'request')}, {sent:.0f} s of audio "
          f"sent, {billed:.0f} s billed{minimum}, about ${sum(p.cost_usd for p in plans):.4f}, about {seconds:.0f} s "
          "(one engine and one rate limit for all)")
    return 0


def _options(args: argparse.Namespace) -> TranscribeOptions:
    return TranscribeOptions(**_given(engine=args.engine, model=args.model, language=args.language,
                                      translate=args.translate, prompt=args.prompt, channel=args.channel,
                                      concurrency=args.concurrency, cache=not args.no_cache,
                                      progress=sys.stderr.isatty(), speakers=args.speakers,
                                      speaker_names=_names(args.speaker_names)))


def _run_one(args: argparse.Namespace, format: str | None) -> int:
    """`transcribe X [-o FILE|-]`: X may be `-` (standard input); no `-o`, or `-o -`, prints the transcript."""
    options = _options(args)
    to_stdout = args.output is None or is_dash(args.output)
    output = None if to_stdout else Path(args.output)
    fmt = (format or "txt") if output is None else check_output(output, FORMATS, format, what="transcript")
    source: Any = sys.stdin.buffer if is_dash(args.input[0]) else Path(args.input[0])
    with outputs.reserve(output, inputs=[] if is_dash(args.input[0]) else [source]):
        transcript = transcribe(source, options=options)
        if output is None:
            text = render(transcript, fmt)
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:
            transcript.save(output, fmt)
            status(f"wrote {output} ({_summary(transcript)})")
    return 0


def _run_many(args: argparse.Namespace, formats: list[str]) -> int:
    """Several recordings (or folders) into `<output-dir>/<stem>.<format>`; each result said on stderr."""
    if args.output is not None:
        raise errors.OptionError("-o names one output; with several recordings or a folder, use --output-dir")
    if any(is_dash(name) for name in args.input):
        raise errors.OptionError("standard input (-) is one recording: transcribe it on its own")
    result = transcribe_many(args.input, formats=formats, output_dir=args.output_dir, options=_options(args),
                             on_file=_said)
    if result.failed:
        status(f"{count(len(result.failed), 'recording')} of {len(result.files)} failed")
    return 0 if result.ok else 1


def _said(outcome: FileOutcome) -> None:
    if outcome.error is not None:
        status(f"voicekit: error: {outcome.error}")
    else:
        status(f"wrote {', '.join(str(p) for p in outcome.written)} ({count(outcome.segments, 'segment')}, "
               f"{outcome.duration or 0:.1f} s)")


def _summary(transcript: Transcript) -> str:
    return f"{count(len(transcript.segments), 'segment')}, {transcript.duration or 0:.1f} s"



def _names(text: str | None) -> tuple[str, ...] | None:
    """`Alice, Bob` -> ("Alice", "Bob")."""
    return None if text is None else tuple(name.strip() for name in text.split(","))


def _given(**options: Any) -> dict[str, Any]:
    """The options the user gave (None means: keep the default)."""
    return {name: value for name, value in options.items() if value is not None}
