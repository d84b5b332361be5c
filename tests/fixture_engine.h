/*
 * fixture_engine.h - a fake container engine for tests: a shell script that
 * logs its argv to $FAKE_LOG and answers info, build, image inspect, run and
 * save with canned output (a "rewritten" image saves smaller than an
 * original); with FAKE_BREAK_REWRITE set it refuses to build a Dockerfile
 * holding COPY --from=build (a rewrite made to fail).
 */
#ifndef DKO_FIXTURE_ENGINE_H
#define DKO_FIXTURE_ENGINE_H

/* Write the fake as bin/name (mode 0755), making bin. */
void fixture_fake_engine(const char *bin, const char *name);

#endif
