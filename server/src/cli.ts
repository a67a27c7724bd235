// digest-pin command line. (Being written.)
process.stderr.write('digest-pin: not built yet\n');
process.exit(2);
