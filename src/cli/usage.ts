export const USAGE = `hean — a crypto trading engine you can trust with live capital

Usage:
  hean run [options]                      trade (paper on the built-in simulated venue by default)
  hean journal verify  --journal PATH     check every record's checksum and sequence (read-only;
                                          exit 1 and how many records are lost if any)
  hean journal inspect --journal PATH [--from SEQ] [--limit N] [--type TYPE]
  hean journal replay  --journal PATH [--report FILE]
                                          rebuild state from the journal alone and print its report
                                          (--report: as JSON too)
  hean data download --venue binance|bybit --symbols A,B --kind KIND --from DATE --to DATE [--dir data]
                                          fetch the venues' public historical files (checksums, resume)
  hean backtest --data FILE… --strategy NAME [--symbols A,B] [--from DATE] [--to DATE] [--set k=v]
                [--report FILE] [--html FILE] [--strict] [--sweep k=v1,v2 --workers N --rank M --walk-forward K]
                                          replay historical data through the real engine and print the report
  hean sim bybit --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET
                                          run the Bybit V5 protocol simulator on loopback
  hean sim binance --port PORT --seed SEED [--scenario NAME] --api-key KEY --api-secret SECRET
                                          run the Binance USD-M futures protocol simulator on loopback
  hean token [--bytes N]                  print a new random API token for HEAN_API_TOKEN
  hean help [CMD [SUB]], hean CMD --help  help on one command; hean --version prints the version
  hean ctl [--engine ID | --all] status|stop|resume|flatten|cancel-all [--reason TEXT] [--timeout S]
                                          command engines over Redis (--redis-url or HEAN_REDIS_URL)
  hean tail --engine ID [--from SEQ] [--count N]
                                          follow an engine's event stream from Redis (JSON lines)
  hean fleet [--port 8090] [--max-drawdown-pct P] [--max-gross-exposure Q]
                                          one dashboard/API over every engine in Redis; with a limit,
                                          the fleet risk process that stops all engines when it is crossed
  hean context --venue bybit|binance [--symbols A,B] [--rest-url URL] [--interval S] [--once]
                                          publish funding rate, open interest and mark to hean:context:<symbol>

Options of "hean run":
  --venue sim|bybit|binance  where to trade (default sim)
  --mode paper|live          paper trading (default) or live (needs --i-understand-live-trading)
  --symbols A,B              symbols (default BTCUSDT,ETHUSDT)
  --strategy NAME            impulse (default), churn, or none (only guards what it holds)
  --strategy-file FILE       a strategy of one's own (a .ts/.js module, docs/STRATEGIES.md);
                             its parameters: --set strategy.params.KEY=VALUE. Several strategies,
                             each with a symbol, capital share and max hold: "strategies" in --config
  --scenario NAME            simulated market: calm (default), trend, flash-crash, stale
  --seed N                   seed of the simulated market, 0 to 4294967295 (default 1)
  --duration SECONDS         stop cleanly after this long, at most 2147483 (default: run until SIGINT/SIGTERM)
  --journal PATH             journal file (default data/hean.db); restarting on it continues
  --config FILE              JSON configuration file
  --set key=value            override any configuration value (repeatable), e.g. --set risk.maxLeverage=1
  --report FILE              write a JSON summary on exit
  --html FILE                write the report as one self-contained HTML page on exit
  --record-market FILE       record every book and trade the engine saw (FILE.hean.csv) for hean backtest
  --api-port PORT            serve the HTTP API, dashboard and metrics on 127.0.0.1:PORT (0 to 65535)
  --api-host HOST            bind the API elsewhere (non-loopback needs HEAN_API_TOKEN)
  --log-level LEVEL          fatal, error, warn, info (default), debug, trace, silent
  --quiet                    no live status line
  --rest-url URL, --ws-public-url URL, --ws-private-url URL
                             the live venue's endpoints (shortcuts into venues.<venue>.*;
                             tests point them at the simulator)
  --testnet                  the live venue's testnet endpoints (venues.<venue>.testnet)
  --i-understand-live-trading
                             required for --mode live
  --redis-url URL            distributed mode on Redis Streams (or HEAN_REDIS_URL / redis.url):
                             command bus, event stream, fleet heartbeat
  --engine-id ID             this engine's name in the fleet (default: from the journal's id)
  --accept-journal-loss      start on a damaged journal: cut it back to its last good record
                             (the loss is journaled) and reconcile with the venue before
                             trading. Without it a damaged journal stops the start (exit 2)
                             and is left untouched.
  --fresh                    set the old journal aside (renamed with a timestamp beside it, never
                             deleted; refused while another process holds it) and start a new one
  --log-format pretty|json   log lines for a person or for a machine (default: pretty on a
                             terminal, JSON otherwise); secrets are scrubbed in both
  --exit-on-halt             end the run once the engine halts (HARD_STOP or kill switch, once
                             flat): report written, exit code 3. For paper runs and scripts

Everything given is checked before anything starts: a refused start writes nothing and exits 2.
A run that ends with a strategy disabled (it threw or broke the signal contract) writes its
report and exits 1.
`;
