import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { EarlyFetch } from '../components/EarlyFetch';
import { Nav } from '../components/Nav';
import './globals.css';

export const metadata: Metadata = {
  title: 'CMCRD Lab',
  description:
    'Cross-modal contrastive representation distillation: every fold of every sweep, compared with the paper.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <head>
        <EarlyFetch />
      </head>
      <body>
        <Nav />
        <main>{children}</main>
      </body>
    </html>
  );
}
