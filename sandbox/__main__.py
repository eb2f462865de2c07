"""`python -m sandbox --port 8090 [--host 127.0.0.1]`: run the demo aggregator alone (settings from SANDBOX_* env)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import uvicorn

from sandbox.app import create_app
from sandbox.messaging import DEMO_SMS_TOKEN


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog='python -m sandbox', description='Relais demo aggregator (Bridge-style).')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8090)
    args = parser.parse_args(argv)
    env = os.environ
    app = create_app(
        client_id=env.get('SANDBOX_CLIENT_ID', 'relais-demo'),
        client_secret=env.get('SANDBOX_CLIENT_SECRET', 'relais-demo-secret'),
        webhook_url=env.get('SANDBOX_WEBHOOK_URL') or None,
        webhook_secret=env.get('SANDBOX_WEBHOOK_SECRET', 'relais-demo-webhook-secret'),
        data_dir=Path(env.get('SANDBOX_DATA_DIR', './data/sandbox')),
        public_url=env.get('SANDBOX_PUBLIC_URL') or f'http://{args.host}:{args.port}',
        mandate_delay_seconds=float(env.get('SANDBOX_MANDATE_DELAY') or 20),
        sms_token=env.get('SANDBOX_SMS_TOKEN') or DEMO_SMS_TOKEN,
    )
    smtp_port = app.state.mailbox.start(int(env.get('SANDBOX_SMTP_PORT') or 0))
    print(f'sandbox: SMS gateway at /sms, mailbox on SMTP 127.0.0.1:{smtp_port}, received messages at /messages')
    uvicorn.run(app, host=args.host, port=args.port, log_level='info')


if __name__ == '__main__':
    main()
