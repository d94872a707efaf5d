"""A loopback server that speaks Groq's audio API, for tests, benchmarks and offline work.

```python
from voicekit.testing import Fault, GroqServer, ServerOptions

with GroqServer(ServerOptions(latency=0.3, requests_per_minute=20)) as server:
    server.base_url      # "http://127.0.0.1:PORT", the host root; endpoints are under /openai/v1
    server.api_key       # the key it accepts
    server.inject(Fault.status(503), times=2, endpoint="speech")
    server.log.count("speech"), server.log.audio_seconds_billed
```
"""

from __future__ import annotations

from voicekit.testing.faults import Fault
from voicekit.testing.options import DEFAULT_API_KEY, ServerOptions
from voicekit.testing.requestlog import LogEntry, RequestLog
from voicekit.testing.server import GroqServer

__all__ = ["DEFAULT_API_KEY", "Fault", "GroqServer", "LogEntry", "RequestLog", "ServerOptions"]
