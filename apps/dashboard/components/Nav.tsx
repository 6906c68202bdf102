'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

const PAGES = [
  ['/', 'Experiments'],
  ['/comparison/', 'Comparison'],
  ['/significance/', 'Significance'],
  ['/ablation/', 'Ablation'],
  ['/fusion/', 'Fusion'],
  ['/timing/', 'Timing'],
  ['/verify/', 'Verify'],
] as const;

export function Nav() {
  const path = usePathname();
  return (
    <nav>
      <strong>CMCRD Lab</strong>
      {PAGES.map(([href, label]) => (
        <Link prefetch={false} key={href} href={href} className={path === href ? 'active' : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}
