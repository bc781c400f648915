#!/usr/bin/env node
// The `tsgym` command line. The CLI may import every folder (DESIGN.md); the library does not.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import {
  InvalidConfigError,
  TsgymError,
  TSGYM_VERSION,
  describeReplay,
  registeredEnvs,
  replayEpisode,
} from '../index';
import '../../envs/index';
import { formatTable } from './format';
import { trainCommand, evalCommand } from './train';
import { demoCommand } from './demo';
import { supervisedCommand } from './supervised';

/** Parses a positive integer flag, naming the flag in the error. */
export function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) {
      throw new InvalidArgumentError(`${flag} must be a positive integer; received '${value}'.`);
    }
    return n;
  };
}

function listCommand(): Command {
  return new Command('list').description('list the registered environments').action(() => {
    const rows = registeredEnvs().map((r) => [
      r.id,
      r.maxEpisodeSteps,
      r.rewardThreshold ?? '-',
      r.description ?? '',
    ]);
    console.log(formatTable(['env id', 'time limit', 'solved at', 'description'], rows));
  });
}

/** Replaces each folder by the episode files in it (a run folder: its episodes/ folder). */
function expandEpisodeFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    if (!fs.existsSync(p) || !fs.statSync(p).isDirectory()) return [p];
    const dir = fs.existsSync(path.join(p, 'episodes')) ? path.join(p, 'episodes') : p;
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl'));
    if (files.length === 0) {
      throw new InvalidConfigError(`${p} holds no episode .jsonl files; pass recorded episodes.`);
    }
    return files.sort().map((f) => path.join(dir, f));
  });
}

function replayCommand(): Command {
  return new Command('replay')
    .description(
      're-run recorded episodes from their headers and report the first step that differs',
    )
    .argument('<paths...>', 'episode .jsonl files, or folders of them (e.g. runs/x/episodes)')
    .action(async (paths: string[]) => {
      let failed = 0;
      for (const file of expandEpisodeFiles(paths)) {
        const report = await replayEpisode(file);
        if (!report.ok) failed++;
        console.log(`${file}: ${describeReplay(report)}`);
      }
      if (failed > 0) process.exitCode = 1;
    });
}

/** Builds the `tsgym` program with every sub-command. */
export function buildProgram(): Command {
  const program = new Command('tsgym')
    .description('tsgym: reinforcement-learning gym and agents for TypeScript')
    .version(TSGYM_VERSION)
    .showHelpAfterError();
  program.addCommand(listCommand());
  program.addCommand(trainCommand());
  program.addCommand(evalCommand());
  program.addCommand(replayCommand());
  program.addCommand(demoCommand());
  program.addCommand(supervisedCommand());
  return program;
}

async function main(): Promise<void> {
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof TsgymError) {
      console.error(`tsgym: ${error.name}: ${error.message}`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('main.ts')) {
  void main();
}
