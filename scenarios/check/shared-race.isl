# A race for `isolab explore`: a producer writes a flag into shared memory, a consumer
# reads it expecting the flag, and a third process works on its own page. The order
# written here works; explore tries the others. The bystander's steps change only its own
# page, so orders that differ only in where they fall reach the same states, and state
# matching folds them instead of running each to the end.
scenario "World: a flag in shared memory, read before it is written"
about "isolab explore finds the interleaving in which the consumer reads too early."
teaches 6

region mailbox size 4 KiB
process producer { uid: 1000 }
process consumer { uid: 1001 }
process bystander { uid: 1002 }

producer: map 0x10000000 size 4 KiB rw user shared mailbox
consumer: map 0x20000000 size 4 KiB r user shared mailbox
bystander: map 0x30000000 size 4 KiB rw user
producer: write 0x10000000 "ready"
bystander: write 0x30000000 = 0x1
consumer: read 0x20000000 size 5 expect value "ready"
bystander: read 0x30000000 expect value 0x1
