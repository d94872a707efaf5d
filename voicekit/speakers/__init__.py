"""Who said what: speaker labels from channels (`channels`) and offline diarization of a mixed track.

`embed` runs the GE2E speaker encoder (weights shipped in `ge2e.npz`, read by `weights`) in numpy; `diarize` finds
speech, embeds it window by window and groups the windows by voice (`cluster`); `assign` puts the speakers on a
transcript's words and segments; `job` is `transcribe(..., speakers=...)`; `score` is the diarization error rate.
"""
