// docs/plugins.md's tutorial as one bash script (test/plugin-tutorial.test.ts runs it).

/** The tutorial as one bash script. */
export function tutorialScript(markdown: string): string {
  const lines = ['set -euo pipefail'];
  for (const m of markdown.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const [, lang, info, body] = m;
    const file = /\bfile=(\S+)/.exec(info)?.[1];
    if (file) {
      lines.push(`mkdir -p "$(dirname ${file})"`, `cat > ${file} <<'CMCRD_TUTORIAL_EOF'`, body.replace(/\n$/, ''), 'CMCRD_TUTORIAL_EOF');
    } else if (lang === 'sh' && /\btutorial\b/.test(info)) {
      for (const cmd of body.trim().split('\n')) lines.push(`echo "+ ${cmd.replace(/["$`\\]/g, '\\$&')}"`, cmd);
    }
  }
  return `${lines.join('\n')}\n`;
}
