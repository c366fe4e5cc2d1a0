use gort_metrics::retried;

struct Ticket {
    id: u32,
}

#[retried]
fn redeem(ticket: Ticket, attempt_note: String) -> Result<u32, String> {
    Ok(ticket.id + attempt_note.len() as u32)
}

fn main() {}
